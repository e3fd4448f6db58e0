import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLabScript } from '../callers/lab-caller/index.js';
import { resolveScriptPaths, type FakeScript } from '../fake-realtime/index.js';
import { scenarioSchema, type Scenario } from './scenario-schema.js';
import { describeError } from 'connect-realtime-gateway';
import { describeSchemaIssue, parseScenarioYaml, scenarioFile } from './scenario-file.js';

export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Loads and validates scenarios/<name>.yaml; errors are one line naming the file and the field. */
export function loadScenario(root: string, name: string): Scenario {
  const { file, label } = scenarioFile(root, name, fail);
  return parseScenario(readFileSync(file, 'utf8'), label, root);
}

const fail = (message: string): ScenarioError => new ScenarioError(message);

export function parseScenario(text: string, label: string, root: string): Scenario {
  const doc = parseScenarioYaml(text, label, fail);
  const result = scenarioSchema.safeParse(doc);
  if (!result.success) throw fail(`${label}: ${describeSchemaIssue(result.error.issues[0])}`);
  const scenario = result.data;
  if (scenario.caller.tool === 'sipp') {
    scenario.caller.utterances.forEach((u, i) => {
      if (!existsSync(join(root, u.audio))) throw new ScenarioError(`${label}: caller.utterances.${i}.audio: file not found: ${u.audio}`);
    });
  }
  if (scenario.caller.audio !== undefined && !existsSync(join(root, scenario.caller.audio))) throw new ScenarioError(`${label}: caller.audio: file not found: ${scenario.caller.audio}`);
  scenario.realtime.turns.forEach((turn, i) => {
    if (turn.audio && 'wav' in turn.audio && !existsSync(join(root, turn.audio.wav))) {
      throw new ScenarioError(`${label}: realtime.turns.${i}.audio.wav: file not found: ${turn.audio.wav}`);
    }
  });
  if (scenario.caller.tool === 'sipp' && !existsSync(join(root, 'lab', 'sipp', `${scenario.caller.script}.xml`))) {
    throw new ScenarioError(`${label}: caller.script: no lab/sipp/${scenario.caller.script}.xml`);
  }
  if (scenario.caller.tool === 'lab') {
    try {
      parseLabScript(scenario.caller.actions);
    } catch (err) {
      throw new ScenarioError(`${label}: caller.actions: ${describeError(err)}`);
    }
  }
  return scenario;
}

/** The scenario's `realtime` section as the fake's script; wav paths resolve from the repository root. */
export function fakeScriptOf(scenario: Scenario, root: string): FakeScript {
  return resolveScriptPaths(structuredClone(scenario.realtime), root);
}
