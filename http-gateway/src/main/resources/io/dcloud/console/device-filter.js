// The devices' filter by type and location (site, building, room), as GET /devices takes it; the
// devices page and a service's "Bind devices" form both pick devices with it.
import { h, field } from './dom.js';

/** prefix keeps the controls' names apart where two filters could share a page; onChange(): the filter changed. */
export function deviceFilter(prefix, typeNames, onChange) {
  const type = h('select', { name: `${prefix}-type` }, h('option', { value: '' }, 'any'),
    typeNames.map(t => h('option', { value: t }, t)));
  const site = h('input', { name: `${prefix}-site`, type: 'search', autocomplete: 'off' });
  const building = h('input', { name: `${prefix}-building`, type: 'search', autocomplete: 'off' });
  const room = h('input', { name: `${prefix}-room`, type: 'search', autocomplete: 'off' });
  const element = h('form', { class: 'filters', role: 'search', 'aria-label': 'Device filter' },
    field('Type', type), field('Site', site), field('Building', building), field('Room', room),
    h('button', { type: 'submit', name: `${prefix}-filter` }, 'Show'));
  element.addEventListener('submit', event => {
    event.preventDefault();
    onChange();
  });
  type.addEventListener('change', onChange);
  return {
    element,
    /** "?type=…&site=…" with the filled-in parts only. */
    query() {
      const parts = new URLSearchParams();
      for (const [key, control] of Object.entries({ type, site, building, room })) {
        if (control.value.trim()) parts.set(key, control.value.trim());
      }
      const text = parts.toString();
      return text ? '?' + text : '';
    },
    /** Offers these types (after one was registered or deleted), keeping the chosen one where it is still there. */
    setTypes(names) {
      const chosen = type.value;
      type.replaceChildren(h('option', { value: '' }, 'any'),
        ...names.map(t => h('option', { value: t, selected: t === chosen }, t)));
    },
  };
}

/** "site / building / room" or "lat, lon". */
export function locationText(location) {
  if (!location) return '';
  const named = [location.site, location.building, location.room].filter(Boolean).join(' / ');
  const point = location.lat !== undefined && location.lat !== null ? `${location.lat}, ${location.lon}` : '';
  return [named, point].filter(Boolean).join(' · ');
}
