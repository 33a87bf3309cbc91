const n=128*28*28*6; const x=new Float32Array(n).map(()=>Math.random()); const out=new Float32Array(n); const g=new Float32Array(n/4);
function run(){ out.fill(0); const c=6,inH=28,inW=28,rowStride=inW*c,imageStride=inH*rowStride; let yIndex=0;
for(let b=0;b<128;b++){const image=b*imageStride; for(let yr=0;yr<14;yr++){for(let yc=0;yc<14;yc++){const corner=image+2*yr*rowStride+2*yc*c; for(let d=0;d<c;d++,yIndex++){let best=-Infinity,at=-1;let rs=corner+d;for(let r=0;r<2;r++,rs+=rowStride){let p=rs;for(let col=0;col<2;col++,p+=c){const v=x[p];if(v>best){best=v;at=p;}}} if(at>=0)out[at]+=g[yIndex];}}}}}
for(let i=0;i<10;i++)run(); const t0=performance.now(); for(let i=0;i<20;i++)run(); console.log((performance.now()-t0)/20);
