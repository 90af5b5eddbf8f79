// ONNX Runtime (npm onnxruntime-node) as the benchmark peer for the mlfaas engine.
// usage: node ort_bench.js MODEL.onnx BATCH THREADS [SECONDS]
// Prints one JSON line: per-inference milliseconds (median, p10, p90, mean) after a warm-up.
const ort = require('onnxruntime-node');
(async () => {
  const [model, batchArg, threadsArg, secondsArg] = process.argv.slice(2);
  const batch = parseInt(batchArg, 10), threads = parseInt(threadsArg, 10);
  const seconds = parseFloat(secondsArg || '5');
  const sess = await ort.InferenceSession.create(model, {
    graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1,
    executionMode: 'sequential'});
  const data = new Float32Array(batch * 3 * 224 * 224);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i) ;
  const feeds = {[sess.inputNames[0]]: new ort.Tensor('float32', data, [batch, 3, 224, 224])};
  for (let i = 0; i < 20; i++) await sess.run(feeds);
  const times = [];
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() < end) {
    const t0 = process.hrtime.bigint();
    await sess.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const q = p => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  console.log(JSON.stringify({engine: 'onnxruntime-node ' + ort.env.versions.common, batch, threads,
                              runs: times.length, median: q(0.5), p10: q(0.1), p90: q(0.9), mean}));
})().catch(e => { console.error(e); process.exit(1); });
