import { FaustgenError } from './errors.js';
import type { Logger } from './logger.js';

export type ServiceState = 'init' | 'starting' | 'running' | 'stopping' | 'stopped' | 'crashed';

/**
 * Lifecycle base for everything that starts and stops. Children start in the order they were added
 * and stop in reverse, so a dependency is always up before its dependents and down after them.
 */
export abstract class Service implements AsyncDisposable {
  private stateValue: ServiceState = 'init';
  private readonly children: Service[] = [];
  private startedChildren: Service[] = [];
  protected abstract readonly log: Logger;

  constructor(readonly serviceName: string) {}

  get state(): ServiceState {
    return this.stateValue;
  }

  protected addChild<S extends Service>(child: S): S {
    this.children.push(child);
    return child;
  }

  async start(): Promise<void> {
    if (this.stateValue !== 'init' && this.stateValue !== 'stopped') {
      throw new FaustgenError('FG_APP_STATE', `${this.serviceName} cannot start while ${this.stateValue}`);
    }
    this.stateValue = 'starting';
    try {
      await this.onStart();
      for (const child of this.children) {
        await child.start();
        this.startedChildren.push(child);
      }
      await this.onStarted();
      this.stateValue = 'running';
    } catch (error) {
      this.stateValue = 'crashed';
      await this.stopChildren();
      throw error;
    }
  }

  async stop(): Promise<void> {
    if (this.stateValue === 'stopped' || this.stateValue === 'init' || this.stateValue === 'stopping') return;
    this.stateValue = 'stopping';
    try {
      await this.onStop();
    } finally {
      await this.stopChildren();
      await this.onStopped();
      this.stateValue = 'stopped';
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private async stopChildren(): Promise<void> {
    const started = this.startedChildren.reverse();
    this.startedChildren = [];
    for (const child of started) {
      try {
        await child.stop();
      } catch (error) {
        this.log.error('service failed to stop', { service: child.serviceName, error });
      }
    }
  }

  /** Before children start. */
  protected async onStart(): Promise<void> {}
  /** After all children started. */
  protected async onStarted(): Promise<void> {}
  /** Before children stop. */
  protected async onStop(): Promise<void> {}
  /** After all children stopped. */
  protected async onStopped(): Promise<void> {}
}
