import { posix } from 'node:path';
import type { GeneratedFile } from '../ir/file-map.js';
import { kebabCase } from '../topology/names.js';
import type { AgentSpec } from '../topology/types.js';
import type { ContextMembers, EmitContext, HandlerModule } from './context.js';
import { agentContextMembers, contextMembers, docText, handlerModules, relativeSpecifier, windowCloseMembers } from './context.js';
import { windowCloseHandlers } from '../topology/validate.js';
import { stubMarker } from './header.js';
import { renderTemplate } from './templates.js';

function reach(members: ContextMembers): string {
  const parts = [['topics', members.topics], ['tables', members.tables], ['agents', members.agents]] as const;
  const described = parts.filter(([, ids]) => ids.length > 0).map(([what, ids]) => `${what} ${ids.join(', ')}`);
  return described.length === 0 ? 'the app' : `the app; ${described.join('; ')}`;
}

function membersOf(context: EmitContext, module: HandlerModule): ContextMembers {
  const { topology } = context;
  switch (module.kind) {
    case 'agent':
      return agentContextMembers(topology, topology.agents.find((agent) => agent.name === module.name) as AgentSpec);
    case 'timer':
      return contextMembers(topology, topology.timers.find((timer) => timer.name === module.name) ?? { topics: [], tables: [], agents: [] });
    case 'crontab':
      return contextMembers(topology, topology.crontabs.find((crontab) => crontab.name === module.name) ?? { topics: [], tables: [], agents: [] });
    case 'task':
      return contextMembers(topology, topology.tasks.find((task) => task.name === module.name) ?? { topics: [], tables: [], agents: [] });
    case 'page': {
      const page = topology.pages.find((candidate) => candidate.name === module.name);
      return page === undefined ? { topics: [], tables: [], agents: [] } : contextMembers(topology, page, { tables: page.table === undefined ? [] : [page.table] });
    }
    case 'window-close': {
      const closer = windowCloseHandlers(topology).find((candidate) => candidate.name === module.name);
      return closer === undefined ? { topics: [], tables: [], agents: [] } : windowCloseMembers(topology, closer);
    }
  }
}

function handlerStub(context: EmitContext, module: HandlerModule): GeneratedFile {
  const { topology } = context;
  const agent = module.kind === 'agent' ? topology.agents.find((candidate) => candidate.name === module.name) : undefined;
  const templates: Readonly<Record<HandlerModule['kind'], string>> = {
    agent: agent?.yields === undefined ? 'app/agent-consumer.ts.hbs' : 'app/agent-generator.ts.hbs',
    timer: 'app/schedule.ts.hbs',
    crontab: 'app/schedule.ts.hbs',
    task: 'app/task.ts.hbs',
    page: 'app/page.ts.hbs',
    'window-close': 'app/window-close.ts.hbs',
  };
  const template = templates[module.kind];
  const view = {
    id: module.id,
    name: module.name,
    typeName: module.typeName,
    handlersModule: relativeSpecifier(posix.dirname(module.file), `${topology.paths.output}/handlers.ts`),
    doc: docText(`Handler of ${module.kind === 'window-close' ? 'window close handler' : module.kind} "${module.name}" declared in ${topology.displayPath}.`),
    reach: reach(membersOf(context, module)),
    yields: agent?.yields?.text ?? '',
  };
  const content = context.renderer.render(module.file, stubMarker(module.kind, module.name), [], renderTemplate(template, view));
  return { path: module.file, content, ownership: 'user' };
}

function agentTestStub(context: EmitContext, agent: AgentSpec): GeneratedFile {
  const { topology } = context;
  const path = `${topology.paths.tests}/${kebabCase(agent.name)}.test.ts`;
  const target = agent.source?.kind === 'topic' ? agent.source.name : agent.source === undefined ? `${topology.settings.id}-${agent.name}` : agent.name;
  const view = {
    id: agent.id,
    name: agent.name,
    appModule: relativeSpecifier(posix.dirname(path), `${topology.paths.output}/app.ts`),
    sendTarget: `'${target}'`,
  };
  const content = context.renderer.render(path, stubMarker('agent-test', agent.name), [], renderTemplate('app/agent.test.ts.hbs', view));
  return { path, content, ownership: 'user' };
}

/** Scaffold-once files: one handler module per agent, timer, crontab, task and page, and a test per agent. */
export function emitStubs(context: EmitContext): GeneratedFile[] {
  const handlers = handlerModules(context.topology).map((module) => handlerStub(context, module));
  const tests = context.topology.agents.map((agent) => agentTestStub(context, agent));
  return [...handlers, ...tests];
}
