// Evaluates flags with the OpenFeature server SDK and the OFREP server provider against FLAGCORE_URL.
// Input (argv[2]): JSON list of [kind, key, default, context]; output: one JSON list of evaluation details.
import { OpenFeature } from '@openfeature/server-sdk';
import { OFREPProvider } from '@openfeature/ofrep-provider';

const provider = new OFREPProvider({
  baseUrl: process.env.FLAGCORE_URL,
  headers: [['Authorization', `Bearer ${process.env.FLAGCORE_PROJECT_KEY}`]],
});
await OpenFeature.setProviderAndWait(provider);
const client = OpenFeature.getClient();
const methods = {
  boolean: client.getBooleanDetails.bind(client),
  string: client.getStringDetails.bind(client),
  number: client.getNumberDetails.bind(client),
  object: client.getObjectDetails.bind(client),
};
const results = [];
for (const [kind, key, fallback, context] of JSON.parse(process.argv[2])) {
  const details = await methods[kind](key, fallback, context);
  results.push({ key, value: details.value, reason: details.reason, variant: details.variant ?? null,
                 errorCode: details.errorCode ?? null });
}
process.stdout.write(JSON.stringify(results));
await OpenFeature.close();
