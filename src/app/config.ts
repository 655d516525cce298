import { configVariables, loadConfig, type ConfigEnv, type HubConfig, type VariableSpec } from '../config/config';
import { hubSources } from '../sources/registry';

/**
 * The hub's configuration: the configuration module's own variables and every agency source's feed
 * variables, as the sources declare them (src/sources/<agency>/<agency>.source.ts, `feed`). The
 * configuration module knows no source; this is where the two meet.
 */
export function loadHubConfig(env: ConfigEnv = process.env): HubConfig {
  return loadConfig(env, hubSources().feeds());
}

/** Every variable the hub reads, in the order of the configuration table (docs: `npm run docs:config`). */
export function hubConfigVariables(): Record<string, VariableSpec> {
  return configVariables(hubSources().feeds());
}
