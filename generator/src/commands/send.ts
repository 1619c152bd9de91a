import { Args, Flags } from '@oclif/core';
import { FaustgenError, describeError } from '../../../runtime/src/core/errors.js';
import { FaustgenCommand } from '../cli/base-command.js';
import { loadProject } from '../cli/project.js';
import { encodeMessage, kafkaBrokers, parseJson, type EncodedMessage } from '../cli/send-message.js';
import { callWorker, workerError, workerFlag, workerUrl } from '../cli/worker-client.js';

export default class Send extends FaustgenCommand {
  static override summary = 'Send one message to a topic, or to the topic an agent reads.';
  static override description = 'The value is parsed as JSON and encoded with the topic\'s value codec (so it is checked against the schema before anything is sent). On kafka:// it goes straight to the broker (--broker or the topology\'s broker); on the embedded memory:// broker, which lives inside one worker, it goes through that worker\'s web server (--worker, default from the topology\'s webPort).';
  static override examples = [`<%= config.bin %> send greetings '{"from_name":"Ada","to_name":"Grace"}' --key ada`, `<%= config.bin %> send print-greetings '{"from_name":"Ada","to_name":"Grace"}' --broker kafka://localhost:9092`];
  static override enableJsonFlag = true;
  static override args = {
    target: Args.string({ description: 'Topic name, or agent name (sends to its source topic).', required: true }),
    value: Args.string({ description: 'The value, as JSON.', required: true }),
  };
  static override flags = {
    key: Flags.string({ char: 'k', summary: 'Message key (JSON unless the key codec is string).' }),
    partition: Flags.integer({ char: 'p', summary: 'Partition to write to (default: by key).', min: 0 }),
    broker: Flags.string({ summary: 'Broker URL, kafka://host:port;host:port (default: from faustgen.yaml).', env: 'FAUSTGEN_BROKER' }),
    worker: workerFlag,
  };

  async run(): Promise<{ topic: string; partition: number; offset: string }> {
    const { args, flags } = await this.parse(Send);
    const project = await loadProject(flags.config);
    const broker = flags.broker ?? project.topology.settings.broker;
    if (flags.worker !== undefined || broker.startsWith('memory://')) {
      const message = await encodeMessage(project, args.target, parseJson(args.value, 'value'), flags.key);
      return this.sendThroughWorker(workerUrl(flags.worker, project), message, flags.partition);
    }
    const brokers = kafkaBrokers(broker);
    const message = await encodeMessage(project, args.target, parseJson(args.value, 'value'), flags.key);
    const { resolveBrokerSecurity } = await import('../../../runtime/src/transport/kafka/security.js');
    const { resolveKafkaOptions } = await import('../../../runtime/src/transport/kafka/config.js');
    const { createKafkaClient, isAuthenticationError } = await import('../../../runtime/src/transport/kafka/client.js');
    const { authenticationFailure } = await import('../../../runtime/src/transport/authentication-failure.js');
    const { rootCause } = await import('../../../runtime/src/transport/kafka/errors.js');
    const { summary: _summary, ...security } = resolveBrokerSecurity(project.topology.settings.security, process.env, project.root);
    const options = resolveKafkaOptions(brokers, { clientId: `${project.topology.settings.id}-cli`, logLevel: 'nothing', ...security });
    const producer = createKafkaClient(options).producer();
    try {
      await producer.connect();
      const [metadata] = await producer.send({
        topic: message.topic,
        messages: [{ key: message.key, value: message.value, ...(flags.partition === undefined ? {} : { partition: flags.partition }) }],
      });
      const result = { topic: message.topic, partition: metadata?.partition ?? -1, offset: metadata?.baseOffset ?? metadata?.offset ?? '?' };
      this.log(`sent to ${result.topic}[${result.partition}] at offset ${result.offset}`);
      return result;
    } catch (error) {
      if (isAuthenticationError(error)) throw authenticationFailure(error, options, describeError(rootCause(error)));
      throw new FaustgenError('FG_TRANSPORT', `cannot send to ${message.topic} via ${brokers.join(',')}: ${(error as Error).message}`, { cause: error, details: { topic: message.topic } });
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
  }

  /** The embedded broker lives inside the worker: hand the encoded record to its web server. */
  private async sendThroughWorker(base: string, message: EncodedMessage, partition: number | undefined): Promise<{ topic: string; partition: number; offset: string }> {
    const { status, body } = await callWorker(base, `/send/${encodeURIComponent(message.topic)}`, {
      method: 'POST',
      body: { key: message.key?.toString('base64') ?? null, value: message.value.toString('base64'), ...(partition === undefined ? {} : { partition }) },
    });
    if (status !== 200) {
      throw new FaustgenError('FG_TRANSPORT', `the worker at ${base} did not take the message for ${message.topic} (${status}): ${workerError(body)}`, { kind: status === 404 ? 'user' : 'transport', details: { topic: message.topic, url: base } });
    }
    const answer = body as { partition: number; offset: number };
    const result = { topic: message.topic, partition: answer.partition, offset: String(answer.offset) };
    this.log(`sent to ${result.topic}[${result.partition}] at offset ${result.offset} through the worker at ${base}`);
    return result;
  }
}
