// uri: a request made with curl on the host. It is skipped in --check (a
// request is an action, as in Ansible) and reports ok when it runs, so every
// row's --check plans nothing; what the rows show is what the answer makes of
// the result and when the run fails. The curl answers in recorded/uri/ were
// recorded by running this module on the Debian 12 build machine (curl 7.88.1)
// against python3 -m http.server (3.11) on 127.0.0.1:18417 serving
// status.json; port 18418 had nothing listening.

import { uriModule } from '../../modules/uri.js';
import { planTable } from './plan-table.js';
import { loadRecording } from './recorded-run.js';

const recorded = loadRecording('uri/curl-7.88.json');
const CURL = 'curl -sS -i -w \n@@converge-uri-status@@%{http_code} %{num_redirects} %{url_effective} -K -';
const config = (url: string) => `url = "${url}"\nuser-agent = "ansible-httpget"\nmax-time = 30\nrequest = "GET"\nlocation\ncompressed\n`;

planTable(uriModule, [
  {
    name: 'a JSON answer: status, headers and json registered; the URL goes to curl on stdin',
    params: { url: 'http://127.0.0.1:18417/status.json' },
    observed: recorded('get-json'),
    changes: [],
    actions: [`run ${CURL}`],
    stdin: { [CURL]: config('http://127.0.0.1:18417/status.json') },
    result: { status: 200, msg: 'OK (31 bytes)', content_type: 'application/json', json: { state: 'ready', nodes: 4 }, redirected: false },
  },
  {
    name: 'a status that is not in status_code fails the run',
    params: { url: 'http://127.0.0.1:18417/missing.json' },
    observed: recorded('get-404'),
    changes: [],
    actions: [`run ${CURL}`],
    runFails: /Status code was 404 and not \[200\]: HTTP Error 404: File not found/,
  },
  {
    name: 'a 404 that status_code expects is ok',
    params: { url: 'http://127.0.0.1:18417/missing.json', status_code: [404] },
    observed: recorded('get-404-expected'),
    changes: [],
    result: { status: 404, msg: 'HTTP Error 404: File not found' },
  },
  {
    name: 'nothing listening: status -1 and curl\'s message',
    params: { url: 'http://127.0.0.1:18418/status.json' },
    observed: recorded('refused'),
    changes: [],
    runFails: /Status code was -1 and not \[200\]: Request failed: curl: \(7\) Failed to connect to 127\.0\.0\.1 port 18418/,
  },
  {
    name: 'a method that is not one uppercase word fails before any request',
    params: { url: 'http://127.0.0.1:18417/status.json', method: 'GET /x' },
    observed: {},
    fails: /Parameter 'method' needs to be a single word in uppercase, like GET or POST\./,
  },
]);
