const n=128*28*28*6; const x=new Float32Array(n).map(()=>Math.random()); const out=new Float32Array(n); const g=new Float32Array(n/4);
function run(){ out.fill(0); const c=6,inH=28,inW=28,rowStride=inW*c,imageStride=inH*rowStride; let yIndex=0;
for(let b=0;b<128;b++){const image=b*imageStride; for(let yr=0;yr<14;yr++){for(let yc=0;yc<14;yc++){const corner=image+2*yr*rowStride+2*yc*c; for(let d=0;d<c;d++,yIndex++){
 const p0=corner+d, p1=p0+c, p2=p0+rowStride, p3=p2+c;
 const v0=x[p0],v1=x[p1],v2=x[p2],v3=x[p3];
 const a = v1>v0; const ma = a? v1:v0; const ia = a? p1:p0;
 const bb = v3>v2; const mb = bb? v3:v2; const ib = bb? p3:p2;
 const at = mb>ma ? ib : ia;
 out[at]+=g[yIndex];}}}}}
for(let i=0;i<10;i++)run(); const t0=performance.now(); for(let i=0;i<20;i++)run(); console.log((performance.now()-t0)/20);
