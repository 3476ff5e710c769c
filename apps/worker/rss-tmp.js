const m=(l)=>{const u=process.memoryUsage();console.log(l.padEnd(22),'rss',(u.rss/1e6|0),'heap',(u.heapUsed/1e6|0));};
m('base');
for (const p of process.argv.slice(2)) { require(p); m(p); }
