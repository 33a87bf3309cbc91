# Source this file (bash) to keep every Jupyter directory inside the project's .jupyter/.
# The tslab kernel spec is registered there by scripts/setup-jupyter.sh.
_stalelab_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export STALELAB_ROOT="$_stalelab_root"
export JUPYTER_PATH="$_stalelab_root/.jupyter/share/jupyter"
export JUPYTER_CONFIG_DIR="$_stalelab_root/.jupyter/config"
export JUPYTER_DATA_DIR="$_stalelab_root/.jupyter/data"
export JUPYTER_RUNTIME_DIR="$_stalelab_root/.jupyter/runtime"
export IPYTHONDIR="$_stalelab_root/.jupyter/ipython"
export XDG_CONFIG_HOME="$_stalelab_root/.jupyter/xdg-config"
export XDG_CACHE_HOME="$_stalelab_root/.jupyter/xdg-cache"
# Debian's Jupyter lives on /usr/bin/python3; another python3 may come first on PATH.
export STALELAB_PYTHON="${STALELAB_PYTHON:-/usr/bin/python3}"
unset _stalelab_root
