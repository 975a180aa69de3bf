// Measures each card iframe; see tests/browser.py.
function rgba(c){const m=c.match(/rgba?\(([^)]+)\)/);if(!m)return null;
  const p=m[1].split(/[ ,\/]+/).filter(Boolean).map(parseFloat);return [p[0],p[1],p[2],p.length>3?p[3]:1];}
function over(top,bot){const a=top[3];return [0,1,2].map(i=>top[i]*a+bot[i]*(1-a)).concat([1]);}
function lum(c){const f=v=>{v/=255;return v<=0.03928?v/12.92:Math.pow((v+0.055)/1.055,2.4)};
  return 0.2126*f(c[0])+0.7152*f(c[1])+0.0722*f(c[2]);}
function background(win,el){const layers=[];
  for(let e=el;e;e=e.parentElement){const c=rgba(win.getComputedStyle(e).backgroundColor);
    if(c&&c[3]>0){layers.push(c);if(c[3]>=1)break;}}
  let bg=[255,255,255,1];for(let i=layers.length-1;i>=0;i--)bg=over(layers[i],bg);return bg;}
function measure(frame){const doc=frame.contentDocument,win=frame.contentWindow;
  const root=doc.documentElement;let worst=99,worstText='';
  for(const el of doc.body.querySelectorAll('*')){
    const own=[...el.childNodes].filter(n=>n.nodeType===3&&n.textContent.trim()).map(n=>n.textContent.trim()).join(' ');
    if(!own||!el.getClientRects().length)continue;const st=win.getComputedStyle(el);
    if(st.visibility==='hidden'||st.display==='none')continue;
    const bg=background(win,el);const fg=over(rgba(st.color),bg);
    const a=lum(fg),b=lum(bg);const ratio=(Math.max(a,b)+0.05)/(Math.min(a,b)+0.05);
    if(ratio<worst){worst=ratio;worstText=own.slice(0,40);}}
  return {id:frame.dataset.id,overflow:root.scrollWidth-root.clientWidth,
    contrast:Math.round(worst*100)/100,worstText:worstText,text:doc.body.innerText.trim().slice(0,80),
    blocked:win.__blocked||[],errors:/there is no field called|template error|Invalid HTML/i.test(doc.body.innerText)};}
window.addEventListener('load',()=>{const out=[...document.querySelectorAll('iframe')].map(measure);
  out.push({id:'__page__',blocked:performance.getEntriesByType('resource').map(r=>r.name)});
  document.getElementById('result').textContent=JSON.stringify(out);});
