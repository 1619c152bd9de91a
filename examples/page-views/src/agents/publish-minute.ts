// faustgen:stub window-close publish-minute
// This file is yours: faustgen wrote it once and never touches it again.
import type { PublishMinuteHandler } from '../generated/handlers.js';
import { PageViewMinute } from '../generated/models.js';

/** Publishes the final count of a closed one-minute window of a page, keyed by page. */
export const publishMinute: PublishMinuteHandler = async (page, window, views, ctx) => {
  const minute = new PageViewMinute({
    page,
    window_start: new Date(window.start).toISOString(),
    window_end: new Date(window.end).toISOString(),
    views,
  });
  await ctx.topics.pageViewMinutes.send({ key: page, value: minute });
};
