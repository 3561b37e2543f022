import * as http from 'node:http';

/** A kubelet httpGet probe run inside a pod's namespace: exit 0 on a 2xx/3xx answer within the timeout. */
const [host, port, path, timeoutMs] = process.argv.slice(2);
const req = http.get({ host, port: Number(port), path, timeout: Number(timeoutMs) }, (res) => {
  res.resume();
  process.exit(res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 400 ? 0 : 1);
});
req.on('timeout', () => process.exit(1));
req.on('error', () => process.exit(1));
