import type { Logger } from '../core/logger.js';
import { describeError } from '../core/errors.js';

export type TableOperation = 'get' | 'set' | 'delete';

/**
 * What a worker tells its sensors (Faust's Sensor interface, typed). Every method is optional; the
 * monitor behind `/metrics` is one sensor, and `app.addSensor()` adds the user's own. Sensors run on
 * the worker's hot path: they must be quick and must not throw (a throw is logged and ignored).
 */
export interface Sensor {
  /** A batch of `count` records of one partition arrived from the broker. */
  onMessagesIn?(topic: string, partition: number, count: number): void;
  /** An agent's actor took an event. */
  onStreamEventIn?(agent: string): void;
  /** An agent's actor finished an event (asked for the next one, or ended) after `ms`. */
  onStreamEventOut?(agent: string, ms: number): void;
  onTableOperation?(table: string, operation: TableOperation): void;
  /** A commit of the processed offsets finished (`error` when it failed). */
  onCommit?(ms: number, error?: unknown): void;
  /** A record was handed to the producer. */
  onSend?(topic: string): void;
  /** An awaited send was acknowledged by the broker after `ms`. */
  onSendDone?(topic: string, ms: number): void;
  onSendError?(topic: string, error: unknown): void;
  /** The group started rebalancing: partitions are being revoked. */
  onRebalanceStart?(): void;
  /** A new assignment arrived and its tables are recovered (`ms` since the rebalance started, when known). */
  onRebalanceEnd?(ms: number | undefined): void;
  onWebRequest?(method: string, route: string, status: number, ms: number): void;
}

type Hook = keyof Sensor;

/** Fans one call out to every sensor; a sensor that throws is logged once per hook and skipped. */
export class SensorSet implements Required<Sensor> {
  private readonly sensors: Sensor[] = [];
  private readonly complained = new Set<string>();

  constructor(private readonly log: Logger) {}

  add(sensor: Sensor): void {
    this.sensors.push(sensor);
  }

  remove(sensor: Sensor): void {
    const index = this.sensors.indexOf(sensor);
    if (index !== -1) this.sensors.splice(index, 1);
  }

  get size(): number {
    return this.sensors.length;
  }

  onMessagesIn(topic: string, partition: number, count: number): void {
    for (const s of this.sensors) {
      if (s.onMessagesIn === undefined) continue;
      try {
        s.onMessagesIn(topic, partition, count);
      } catch (error) {
        this.failed(s, 'onMessagesIn', error);
      }
    }
  }
  onStreamEventIn(agent: string): void {
    for (const s of this.sensors) {
      if (s.onStreamEventIn === undefined) continue;
      try {
        s.onStreamEventIn(agent);
      } catch (error) {
        this.failed(s, 'onStreamEventIn', error);
      }
    }
  }
  onStreamEventOut(agent: string, ms: number): void {
    for (const s of this.sensors) {
      if (s.onStreamEventOut === undefined) continue;
      try {
        s.onStreamEventOut(agent, ms);
      } catch (error) {
        this.failed(s, 'onStreamEventOut', error);
      }
    }
  }
  onTableOperation(table: string, operation: TableOperation): void {
    for (const s of this.sensors) {
      if (s.onTableOperation === undefined) continue;
      try {
        s.onTableOperation(table, operation);
      } catch (error) {
        this.failed(s, 'onTableOperation', error);
      }
    }
  }
  onCommit(ms: number, error?: unknown): void {
    for (const s of this.sensors) {
      if (s.onCommit === undefined) continue;
      try {
        s.onCommit(ms, error);
      } catch (error) {
        this.failed(s, 'onCommit', error);
      }
    }
  }
  onSend(topic: string): void {
    for (const s of this.sensors) {
      if (s.onSend === undefined) continue;
      try {
        s.onSend(topic);
      } catch (error) {
        this.failed(s, 'onSend', error);
      }
    }
  }
  onSendDone(topic: string, ms: number): void {
    for (const s of this.sensors) {
      if (s.onSendDone === undefined) continue;
      try {
        s.onSendDone(topic, ms);
      } catch (error) {
        this.failed(s, 'onSendDone', error);
      }
    }
  }
  onSendError(topic: string, error: unknown): void {
    for (const s of this.sensors) {
      if (s.onSendError === undefined) continue;
      try {
        s.onSendError(topic, error);
      } catch (error) {
        this.failed(s, 'onSendError', error);
      }
    }
  }
  onRebalanceStart(): void {
    for (const s of this.sensors) {
      if (s.onRebalanceStart === undefined) continue;
      try {
        s.onRebalanceStart();
      } catch (error) {
        this.failed(s, 'onRebalanceStart', error);
      }
    }
  }
  onRebalanceEnd(ms: number | undefined): void {
    for (const s of this.sensors) {
      if (s.onRebalanceEnd === undefined) continue;
      try {
        s.onRebalanceEnd(ms);
      } catch (error) {
        this.failed(s, 'onRebalanceEnd', error);
      }
    }
  }
  onWebRequest(method: string, route: string, status: number, ms: number): void {
    for (const s of this.sensors) {
      if (s.onWebRequest === undefined) continue;
      try {
        s.onWebRequest(method, route, status, ms);
      } catch (error) {
        this.failed(s, 'onWebRequest', error);
      }
    }
  }

  private failed(sensor: Sensor, hook: Hook, error: unknown): void {
    const key = `${this.sensors.indexOf(sensor)}:${hook}`;
    if (this.complained.has(key)) return;
    this.complained.add(key);
    this.log.warn('sensor threw; ignored (logged once per sensor and hook)', { sensor: sensor.constructor.name, hook, error: describeError(error) });
  }
}
