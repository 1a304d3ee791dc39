// Captures with posthog-node against FLAGCORE_URL, flushes, then reads a flag targeting the captured property.
// Input (argv[2]): JSON {flag, user, anonymous, alias, timeoutMs}; output: one JSON object of what the client saw.
import { PostHog } from 'posthog-node';

const input = JSON.parse(process.argv[2]);
const errors = [];
const client = new PostHog(process.env.FLAGCORE_PROJECT_KEY, {
  host: process.env.FLAGCORE_URL,
  flushAt: 50,
  flushInterval: 100,
  fetchRetryCount: 0, // a failed send surfaces once as an error event
  featureFlagsPollingInterval: 3600000,
});
client.on('error', (error) => errors.push(String(error?.message ?? error)));

// Capture is applied off the request path: ask again until the answer changes or the bound passes.
async function flagUntil(distinctId, expected) {
  const deadline = Date.now() + input.timeoutMs;
  let value = await client.getFeatureFlag(input.flag, distinctId);
  while (value !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await client.getFeatureFlag(input.flag, distinctId);
  }
  return value ?? null;
}

const before = (await client.getFeatureFlag(input.flag, input.user)) ?? null;
client.capture({ distinctId: input.anonymous, event: 'visited', properties: { $set: { plan: 'free' } } });
client.identify({ distinctId: input.user, properties: { $anon_distinct_id: input.anonymous, $set: { plan: 'pro' } } });
client.alias({ distinctId: input.user, alias: input.alias });
await client.flush();
const after = await flagUntil(input.user, true);
const anonymous = await flagUntil(input.anonymous, true);
const alias = await flagUntil(input.alias, true);
client.capture({ distinctId: input.user, event: 'downgraded', properties: { $set: { plan: 'free' } } });
await client.flush();
const downgraded = await flagUntil(input.user, false);
await client.shutdown();
process.stdout.write(JSON.stringify({ before, after, anonymous, alias, downgraded, errors }));
