// Between the form's controls and an environment config (the contract's field names).

/** A command as words, or as a JSON list when an argument has spaces (["sh", "-c", "echo hi; sleep 9"]). */
function argv(text) {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed);
    } catch {
      // Not JSON after all: the API names the field if the words are no command either.
    }
  }
  return trimmed.split(/\s+/).filter(Boolean);
}

/** The config's run limits by the form's control for each. */
const RUN_LIMITS = { 'idle-timeout': 'idleTimeout', 'max-runtime': 'maxRuntime' };

function commandText(command) {
  if (!Array.isArray(command)) return command || '';
  return command.some(word => /\s/.test(word)) ? JSON.stringify(command) : command.join(' ');
}

/**
 * The config the form describes; lists: its volumes, variables and datasets (spec-lists.js); fields
 * the form has no control for (from a template or file) kept as they came.
 */
export function toSpec(controls, languages, extra, lists) {
  const spec = { ...extra, 'env-name': controls.name.value.trim(), os: controls.os.value };
  const chosen = [...languages.querySelectorAll('fieldset.language')].map(row => ({
    'language-name': row.querySelector('[name=language-name]').value,
    libraries: [...row.querySelector('[name=libraries]').selectedOptions].map(o => o.value),
  })).filter(l => l['language-name']);
  if (chosen.length) spec.languages = chosen;
  else delete spec.languages;
  const resources = { ...(extra.resources || {}) };
  for (const key of ['ram', 'cpu', 'storage']) {
    if (controls[key].value.trim()) resources[key] = controls[key].value.trim();
    else delete resources[key];
  }
  if (controls.gpu.value !== '') resources.gpu = Number(controls.gpu.value);
  else delete resources.gpu;
  if (controls.gpuModel.value.trim()) resources['gpu-model'] = controls.gpuModel.value.trim();
  else delete resources['gpu-model'];
  if (Object.keys(resources).length) spec.resources = resources;
  else delete spec.resources;
  const ports = controls.ports.value.split(/[\s,]+/).filter(Boolean);
  if (ports.length) spec['port-publish'] = ports.map(p => ({ internal: { ports: /^\d+$/.test(p) ? Number(p) : p } }));
  else delete spec['port-publish'];
  if (controls.command.value.trim()) spec.command = argv(controls.command.value);
  else delete spec.command;
  for (const key of ['idle-timeout', 'max-runtime']) {
    const text = controls[RUN_LIMITS[key]].value.trim();
    if (text) spec[key] = text;
    else delete spec[key];
  }
  for (const [key, value] of Object.entries(lists.read())) {
    if (value === undefined) delete spec[key];
    else spec[key] = value;
  }
  return spec;
}

/** Puts a config's values into the controls and lists; answers the rest of it (kept on create). */
export function fromSpec(spec, controls, lists) {
  const { 'env-name': name, os, resources = {}, command, 'port-publish': ports, languages, storage, env, dataset,
    'idle-timeout': idleTimeout, 'max-runtime': maxRuntime, ...rest } = spec;
  lists.fill({ storage, env, dataset });
  controls.name.value = name || '';
  const osName = typeof os === 'object' && os ? os['image-name'] : os;
  if (osName && [...controls.os.options].some(o => o.value === osName)) controls.os.value = osName;
  const { ram, cpu, gpu, storage: disk, 'gpu-model': gpuModel, ...otherResources } = resources;
  controls.ram.value = ram ?? '';
  controls.cpu.value = cpu ?? '';
  controls.gpu.value = gpu ?? '';
  controls.gpuModel.value = gpuModel ?? '';
  controls.storage.value = disk ?? '';
  controls.ports.value = (ports || []).map(p => p?.internal?.ports).filter(p => p !== undefined).join(', ');
  controls.command.value = commandText(command);
  controls.idleTimeout.value = idleTimeout ?? '';
  controls.maxRuntime.value = maxRuntime ?? '';
  return Object.keys(otherResources).length ? { ...rest, resources: otherResources } : rest;
}
