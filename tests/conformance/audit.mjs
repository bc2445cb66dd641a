// Runs every graphql-http server audit against the URL given as the first argument and
// fails (exit 1) on any MUST or SHOULD audit that does not pass; MAY audits are reported only.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql url>');
  process.exit(2);
}
const headers = process.argv[3] ? JSON.parse(process.argv[3]) : {};

let failed = 0;
for (const audit of serverAudits({ url, fetchFn: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, ...headers } }) })) {
  const result = await audit.fn();
  const level = audit.name.split(' ')[0];
  if (result.status === 'ok') {
    console.log(`ok    ${audit.name}`);
  } else if (level === 'MAY') {
    console.log(`note  ${audit.name}: ${result.reason}`);
  } else {
    failed += 1;
    console.log(`FAIL  ${audit.name}: ${result.reason}`);
  }
}
console.log(failed ? `${failed} MUST/SHOULD audits failed` : 'all MUST and SHOULD audits passed');
process.exit(failed ? 1 : 0);
