"""The stateless bench pipeline in Python Faust (faust-streaming): the same work as
bench/scenarios/stateless/records.ts (drop ids divisible by 10, add amountCents and large).

Run by bench/scenarios/faust-stateless.ts as `python pipeline.py worker -l warning` with
BENCH_BOOTSTRAP, BENCH_APP_ID, BENCH_IN, BENCH_OUT and BENCH_DATADIR set. Prints `FIRST <epoch ms>` on stdout
when the first record reaches the agent, so the Node side can time from there.
"""
import os
import sys
import time

import faust

app = faust.App(
    os.environ["BENCH_APP_ID"],
    broker="kafka://" + os.environ["BENCH_BOOTSTRAP"],
    value_serializer="json",
    topic_partitions=4,
    topic_replication_factor=1,
    web_enabled=False,
    datadir=os.environ["BENCH_DATADIR"],
)
source = app.topic(os.environ["BENCH_IN"], value_serializer="json")
out = app.topic(os.environ["BENCH_OUT"], value_serializer="json")
first_seen = False


@app.agent(source, sink=[out])
async def pipe(stream):
    global first_seen
    async for payment in stream:
        if not first_seen:
            first_seen = True
            sys.stdout.write("FIRST %d\n" % int(time.time() * 1000))
            sys.stdout.flush()
        if payment["id"] % 10 == 0:
            continue
        enriched = dict(payment)
        enriched["amountCents"] = round(payment["amount"] * 100)
        enriched["large"] = payment["amount"] > 500
        yield enriched


@app.task
async def announce_ready():
    sys.stdout.write("READY\n")
    sys.stdout.flush()


if __name__ == "__main__":
    app.main()
