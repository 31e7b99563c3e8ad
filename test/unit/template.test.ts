// template: a Jinja2 template from the playbook's templates/ rendered with the
// task's variables and written like copy, planned from a scripted host.

import { templateModule } from '../../modules/template.js';
import { planTable } from './plan-table.js';

const EXPORTS = '{% for n in nets %}/srv/home {{ n }}(rw,sync)\n{% endfor %}';
const vars = { nets: ['10.1.0.0/16', '10.2.0.0/16'] };
const rendered = '/srv/home 10.1.0.0/16(rw,sync)\n/srv/home 10.2.0.0/16(rw,sync)\n';

planTable(templateModule, [
  {
    name: 'rendered with the variables into a new file',
    params: { src: 'exports.j2', dest: '/etc/exports', mode: '0644' },
    controller: { 'templates/exports.j2': EXPORTS },
    vars,
    observed: { paths: { '/etc': { dir: true } } },
    changes: [{ property: 'content', summary: 'create /etc/exports' }, { property: 'mode', after: '0644' }],
    actions: ['write /etc/exports 0644'],
    after: { '/etc/exports': rendered },
  },
  {
    name: 'a variable changed: the file is rewritten, its mode kept',
    params: { src: 'exports.j2', dest: '/etc/exports' },
    controller: { 'templates/exports.j2': EXPORTS },
    vars,
    observed: { paths: { '/etc/exports': { content: '/srv/home 10.1.0.0/16(rw,sync)\n', mode: 0o640 } } },
    changes: [{ property: 'content', summary: 'update content of /etc/exports' }],
    actions: ['write /etc/exports 0640'],
    after: { '/etc/exports': rendered },
  },
  {
    name: 'a directory dest receives the file under the template\'s name',
    params: { src: 'motd', dest: '/etc/issue.d' },
    controller: { 'motd': 'welcome to {{ cluster }}\n' },
    vars: { cluster: 'hpc1' },
    observed: { paths: { '/etc/issue.d': { dir: true } } },
    changes: [{ property: 'content', summary: 'create /etc/issue.d/motd' }],
    actions: ['write /etc/issue.d/motd 0644'],
    after: { '/etc/issue.d/motd': 'welcome to hpc1\n' },
  },
  {
    name: 'rendered text as on the host: in sync',
    params: { src: 'exports.j2', dest: '/etc/exports', mode: '0644' },
    controller: { 'templates/exports.j2': EXPORTS },
    vars,
    observed: { paths: { '/etc/exports': { content: rendered, mode: 0o644 } } },
    changes: [],
    actions: [],
  },
  {
    name: 'force: false leaves an existing file alone',
    params: { src: 'exports.j2', dest: '/etc/exports', force: false },
    controller: { 'templates/exports.j2': EXPORTS },
    vars,
    observed: { paths: { '/etc/exports': { content: '# local\n' } } },
    changes: [],
    actions: [],
  },
  {
    // (An undefined variable is a TemplateError the engine reports with the template's name and line: src/engine/run-task.ts.)
    name: 'a template neither in templates/ nor next to the playbook fails before the host is read',
    params: { src: 'missing.j2', dest: '/etc/exports' },
    controller: { 'templates/exports.j2': EXPORTS },
    observed: {},
    fails: /src file not found: missing\.j2 \(looked in .*templates\/missing\.j2, .*\/missing\.j2\)/,
  },
]);
