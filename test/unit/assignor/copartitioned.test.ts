import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { assignCopartitioned } from '../../../runtime/src/assignor/copartitioned.js';
import type { AssignorMember, AssignorResult } from '../../../runtime/src/assignor/types.js';
import type { MemberAssignment, TopicPartition } from '../../../runtime/src/types/transport.js';

/** mulberry32: small, seeded, good enough to drive property tests reproducibly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Scenario {
  readonly counts: Record<string, number>;
  /** The app's topics: each member subscribes these (plus maybe extras). */
  readonly topics: string[];
  readonly changelogs: string[];
  readonly globals: string[];
  readonly extras: string[];
  readonly replicas: number;
}

const empty: MemberAssignment = { actives: [], standbys: [] };

function makeScenario(rand: () => number): Scenario {
  const counts: Record<string, number> = {};
  const topics: string[] = [];
  const changelogs: string[] = [];
  const sizes = [1, 2, 3, 4, 6, 8, 12, 16, 24];
  const groupCount = 1 + Math.floor(rand() * 3);
  for (let g = 0; g < groupCount; g++) {
    const p = sizes[Math.floor(rand() * sizes.length)] ?? 4;
    const source = `src${g}`;
    counts[source] = p;
    topics.push(source);
    if (rand() < 0.7) {
      const changelog = `app-table${g}-changelog`;
      counts[changelog] = p;
      topics.push(changelog);
      changelogs.push(changelog);
    }
  }
  const globals: string[] = [];
  if (rand() < 0.4) {
    counts['app-global-changelog'] = 1 + Math.floor(rand() * 5);
    globals.push('app-global-changelog');
  }
  const extras: string[] = [];
  if (rand() < 0.4) {
    counts['extra'] = sizes[Math.floor(rand() * sizes.length)] ?? 2;
    extras.push('extra');
  }
  return { counts, topics, changelogs, globals, extras, replicas: Math.floor(rand() * 3) };
}

function member(id: string, s: Scenario, rand: () => number, previous: MemberAssignment): AssignorMember {
  const topics = [...s.topics, ...s.globals, ...s.extras.filter(() => rand() < 0.5)];
  return {
    memberId: id,
    metadata: {
      version: 1,
      topics,
      changelogTopics: s.changelogs,
      globalTopics: s.globals,
      standbyReplicas: s.replicas,
      url: `http://${id}:6066`,
      previous,
    },
  };
}

const key = (tp: TopicPartition): string => `${tp.topic}#${tp.partition}`;

function checkInvariants(members: readonly AssignorMember[], s: Scenario, result: AssignorResult): void {
  const globals = new Set(s.globals);
  // Exactly one active per partition of every subscribed non-global topic, on a subscriber.
  const activeOwner = new Map<string, string>();
  for (const m of members) {
    const a = result.assignments.get(m.memberId) ?? assert.fail(`no assignment for ${m.memberId}`);
    for (const tp of a.actives) {
      assert.ok(!globals.has(tp.topic), `global topic ${tp.topic} assigned as active`);
      assert.ok(m.metadata.topics.includes(tp.topic), `${m.memberId} got unsubscribed ${tp.topic}`);
      assert.equal(activeOwner.has(key(tp)), false, `${key(tp)} has two actives`);
      activeOwner.set(key(tp), m.memberId);
    }
  }
  const subscribers = (topic: string): string[] =>
    members.filter((m) => m.metadata.topics.includes(topic)).map((m) => m.memberId);
  for (const [topic, count] of Object.entries(s.counts)) {
    if (globals.has(topic)) continue;
    const subs = subscribers(topic);
    for (let p = 0; p < count; p++) {
      assert.equal(activeOwner.has(`${topic}#${p}`), subs.length > 0, `${topic}#${p} active presence`);
    }
    // Balanced within ±1 (floor/ceil) for every topic, hence for every group.
    if (subs.length === 0) continue;
    const floor = Math.floor(count / subs.length);
    for (const id of subs) {
      const n = result.assignments.get(id)?.actives.filter((tp) => tp.topic === topic).length ?? 0;
      assert.ok(n === floor || n === floor + (count % subs.length === 0 ? 0 : 1), `${id} holds ${n} of ${topic}`);
    }
  }
  // Co-partitioning: same count and same subscribers => same owner of partition p.
  const topics = Object.keys(s.counts).filter((t) => !globals.has(t) && subscribers(t).length > 0);
  for (const a of topics) {
    for (const b of topics) {
      if (s.counts[a] !== s.counts[b] || subscribers(a).join() !== subscribers(b).join()) continue;
      for (let p = 0; p < (s.counts[a] ?? 0); p++) {
        assert.equal(activeOwner.get(`${a}#${p}`), activeOwner.get(`${b}#${p}`), `${a} and ${b} partition ${p}`);
      }
    }
  }
  // Standbys: min(replicas, subscribers - 1) distinct copies, never on the active's member.
  const standbyHolders = new Map<string, string[]>();
  for (const m of members) {
    for (const tp of result.assignments.get(m.memberId)?.standbys ?? []) {
      if (globals.has(tp.topic)) continue;
      assert.notEqual(activeOwner.get(key(tp)), m.memberId, `standby of ${key(tp)} on its active`);
      const list = standbyHolders.get(key(tp)) ?? [];
      assert.ok(!list.includes(m.memberId), `duplicate standby ${key(tp)}`);
      standbyHolders.set(key(tp), [...list, m.memberId]);
    }
  }
  for (const topic of s.changelogs) {
    const subs = subscribers(topic);
    for (let p = 0; p < (s.counts[topic] ?? 0); p++) {
      const expected = subs.length === 0 ? 0 : Math.min(s.replicas, subs.length - 1);
      assert.equal(standbyHolders.get(`${topic}#${p}`)?.length ?? 0, expected, `standbys of ${topic}#${p}`);
    }
  }
  for (const k of standbyHolders.keys()) {
    assert.ok(s.changelogs.some((t) => k.startsWith(`${t}#`)), `standby on non-changelog ${k}`);
  }
  // Globals: every member gets every partition as standby.
  for (const topic of s.globals) {
    for (const m of members) {
      const held = (result.assignments.get(m.memberId)?.standbys ?? []).filter((tp) => tp.topic === topic);
      assert.deepEqual(held.map((tp) => tp.partition), [...Array(s.counts[topic]).keys()]);
    }
  }
  // Distribution mirrors the actives.
  for (const m of members) {
    const byTopic = result.distribution[m.metadata.url] ?? {};
    const flattened = Object.entries(byTopic).flatMap(([t, ps]) => ps.map((p) => `${t}#${p}`)).sort();
    const actives = (result.assignments.get(m.memberId)?.actives ?? []).map(key).sort();
    assert.deepEqual(flattened, actives);
  }
}

function checkSticky(
  before: ReadonlyMap<string, MemberAssignment>,
  members: readonly AssignorMember[],
  s: Scenario,
  result: AssignorResult,
): void {
  for (const m of members) {
    const previous = before.get(m.memberId);
    if (previous === undefined) continue;
    for (const [topic, count] of Object.entries(s.counts)) {
      if (!m.metadata.topics.includes(topic) || s.globals.includes(topic)) continue;
      const subs = members.filter((x) => x.metadata.topics.includes(topic)).length;
      const capacity = Math.floor(count / subs);
      const had = previous.actives.filter((tp) => tp.topic === topic).map((tp) => tp.partition);
      const now = new Set(result.assignments.get(m.memberId)?.actives.filter((tp) => tp.topic === topic).map((tp) => tp.partition));
      const kept = had.filter((p) => now.has(p)).length;
      assert.ok(kept >= Math.min(had.length, capacity), `${m.memberId} kept ${kept}/${had.length} of ${topic} (capacity ${capacity})`);
    }
  }
}

describe('assignCopartitioned', () => {
  test('randomized: invariants hold and membership changes move few partitions', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rand = prng(seed);
      const s = makeScenario(rand);
      let ids = Array.from({ length: 1 + Math.floor(rand() * 5) }, (_, i) => `m${i}`);
      let nextId = ids.length;
      let current = new Map<string, MemberAssignment>();
      let members: AssignorMember[] = [];
      for (let step = 0; step < 8; step++) {
        members = ids.map((id) => member(id, s, rand, current.get(id) ?? empty));
        const result = assignCopartitioned(members, s.counts);
        try {
          checkInvariants(members, s, result);
          // Extras are subscribed at random, so stickiness is only meaningful when subscriptions are stable.
          if (step > 0 && s.extras.length === 0) checkSticky(current, members, s, result);
        } catch (error) {
          throw new Error(`seed ${seed} step ${step}: ${(error as Error).message}`, { cause: error });
        }
        current = new Map(result.assignments);
        if (ids.length > 1 && rand() < 0.5) ids = ids.filter((_, i) => i !== Math.floor(rand() * ids.length));
        else ids = [...ids, `m${nextId++}`];
      }
    }
  });

  test('deterministic regardless of member order', () => {
    for (let seed = 1000; seed < 1050; seed++) {
      const rand = prng(seed);
      const s = makeScenario(rand);
      const members = Array.from({ length: 2 + Math.floor(rand() * 4) }, (_, i) => member(`m${i}`, s, rand, empty));
      const a = assignCopartitioned(members, s.counts);
      const b = assignCopartitioned([...members].reverse(), s.counts);
      assert.deepEqual([...a.assignments.entries()], [...b.assignments.entries()]);
      assert.deepEqual(a.distribution, b.distribution);
    }
  });

  test('a source partition and its changelog partition land on the same member', () => {
    const counts = { orders: 6, 'app-counts-changelog': 6 };
    const s: Scenario = { counts, topics: Object.keys(counts), changelogs: ['app-counts-changelog'], globals: [], extras: [], replicas: 1 };
    const rand = prng(7);
    const members = ['a', 'b', 'c'].map((id) => member(id, s, rand, empty));
    const result = assignCopartitioned(members, counts);
    for (const [, a] of result.assignments) {
      const orders = a.actives.filter((tp) => tp.topic === 'orders').map((tp) => tp.partition);
      const changelog = a.actives.filter((tp) => tp.topic === 'app-counts-changelog').map((tp) => tp.partition);
      assert.deepEqual(orders, changelog);
      assert.equal(orders.length, 2);
    }
  });

  test('when a member leaves, its partitions go to the members holding their standbys', () => {
    const counts = { orders: 8, 'app-t-changelog': 8 };
    const s: Scenario = { counts, topics: Object.keys(counts), changelogs: ['app-t-changelog'], globals: [], extras: [], replicas: 1 };
    const rand = prng(11);
    const first = assignCopartitioned(['a', 'b', 'c', 'd'].map((id) => member(id, s, rand, empty)), counts);
    const leaving = 'b';
    const survivors = ['a', 'c', 'd'];
    const second = assignCopartitioned(
      survivors.map((id) => member(id, s, rand, first.assignments.get(id) ?? empty)),
      counts,
    );
    const orphaned = first.assignments.get(leaving)?.actives.filter((tp) => tp.topic === 'app-t-changelog') ?? [];
    assert.equal(orphaned.length, 2);
    let warm = 0;
    for (const tp of orphaned) {
      const standbyHolder = survivors.find((id) => first.assignments.get(id)?.standbys.some((x) => key(x) === key(tp)));
      const newOwner = survivors.find((id) => second.assignments.get(id)?.actives.some((x) => key(x) === key(tp)));
      if (standbyHolder === newOwner) warm++;
    }
    assert.equal(warm, orphaned.length);
  });

  test('standbys stay where they were when membership does not change', () => {
    const counts = { orders: 12, 'app-t-changelog': 12 };
    const s: Scenario = { counts, topics: Object.keys(counts), changelogs: ['app-t-changelog'], globals: [], extras: [], replicas: 2 };
    const rand = prng(3);
    const ids = ['a', 'b', 'c', 'd'];
    const first = assignCopartitioned(ids.map((id) => member(id, s, rand, empty)), counts);
    const second = assignCopartitioned(ids.map((id) => member(id, s, rand, first.assignments.get(id) ?? empty)), counts);
    assert.deepEqual([...second.assignments.entries()], [...first.assignments.entries()]);
  });

  test('global topics: all partitions as standbys on every member, no actives, not in distribution', () => {
    const counts = { orders: 4, 'app-g-changelog': 3 };
    const s: Scenario = { counts, topics: ['orders'], changelogs: [], globals: ['app-g-changelog'], extras: [], replicas: 0 };
    const rand = prng(5);
    const result = assignCopartitioned(['a', 'b'].map((id) => member(id, s, rand, empty)), counts);
    for (const [id, a] of result.assignments) {
      assert.deepEqual(a.standbys.map(key), ['app-g-changelog#0', 'app-g-changelog#1', 'app-g-changelog#2'], id);
      assert.ok(a.actives.every((tp) => tp.topic === 'orders'));
    }
    for (const byTopic of Object.values(result.distribution)) assert.equal(byTopic['app-g-changelog'], undefined);
  });

  test('topics without a known partition count are skipped, members without topics get empty assignments', () => {
    const result = assignCopartitioned(
      [
        { memberId: 'x', metadata: { version: 1, topics: ['missing'], changelogTopics: [], globalTopics: [], standbyReplicas: 0, url: 'u', previous: empty } },
      ],
      {},
    );
    assert.deepEqual(result.assignments.get('x'), empty);
  });
});
