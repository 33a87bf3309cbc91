#!/usr/bin/env bash
# A software Vulkan device for testing the WebGPU path without a GPU: Debian's chromium package
# ships SwiftShader (libvk_swiftshader.so and its ICD file), and Dawn (the webgpu npm package)
# needs the system Vulkan loader. Installs both when run as root or with sudo, then prints the
# variable that points Vulkan at SwiftShader. Correctness only: a software GPU is slower than wasm.
#   bash scripts/setup-swiftshader.sh && export VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/apt-install.sh" setup-swiftshader chromium libvulkan1
icd=/usr/lib/chromium/vk_swiftshader_icd.json
[[ -f "$icd" ]] || { echo "setup-swiftshader: $icd not found (dpkg -L chromium | grep swiftshader)" >&2; exit 1; }
echo "setup-swiftshader: export VK_ICD_FILENAMES=$icd"
