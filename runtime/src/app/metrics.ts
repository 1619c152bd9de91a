/** Counters a worker exposes in logs, the web server and the test driver. */
export class AppMetrics {
  messagesSent = 0;
  sendErrors = 0;
  agentFailures = 0;

  snapshot(): Record<string, number> {
    return { messagesSent: this.messagesSent, sendErrors: this.sendErrors, agentFailures: this.agentFailures };
  }
}
