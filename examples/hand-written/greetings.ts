// Faust's classic greetings app, written by hand against the runtime: a timer sends a greeting every
// second, an agent prints it and counts greetings per sender in a table. The generated version of
// this app lives in examples/greetings (faustgen codegen).
import { codecs, createApp, runWorker, settingsFromEnv } from 'faustgen';

interface Greeting {
  readonly from_name: string;
  readonly to_name: string;
}

const app = createApp({ id: 'greetings', ...settingsFromEnv(process.env) });
const greetings = app.topic('greetings', { key: codecs.string, value: codecs.json<Greeting>(), partitions: 4 });
const perSender = app.table('greetings-per-sender', { key: codecs.string, value: codecs.number, default: () => 0, partitions: 4 });

const names = ['Faust', 'Gretchen', 'Mephisto', 'Wagner'];
let sent = 0;
app.timer('send-greeting', { intervalMs: 1000 }, async () => {
  const from = names[sent % names.length] ?? 'Faust';
  const to = names[(sent + 1) % names.length] ?? 'Gretchen';
  sent++;
  await greetings.send({ key: from, value: { from_name: from, to_name: to } });
});

app.agent('print-greetings', { source: greetings, tables: [perSender] }, async (stream) => {
  for await (const greeting of stream) {
    const count = perSender.update(greeting.from_name, (n) => n + 1);
    console.log(`Hello from ${greeting.from_name} to ${greeting.to_name} (${greeting.from_name} has sent ${count})`);
  }
});

const seconds = Number(process.env['FAUSTGEN_DEMO_SECONDS'] ?? '0');
if (seconds > 0) setTimeout(() => void app.stop(), seconds * 1000).unref();
await runWorker(app);
