// user: a local account present (useradd / usermod) or absent (userdel),
// with Ansible's parameters. The password is a crypt hash compared with the
// shadow entry; it is never shown: changes say only that it differs, and
// register sees NOT_LOGGING_PASSWORD as with Ansible.

import type { Change, ModuleContext, ModuleDefinition } from '../src/engine/module.js';
import { TaskFailedError } from '../src/engine/module.js';
import { missingDirs, dirname } from './common/paths.js';

export interface UserParams {
  name: string; user?: string;
  state: 'present' | 'absent';
  uid?: number; non_unique: boolean;
  group?: string;
  groups?: string[] | string;
  append: boolean;
  system: boolean;
  home?: string;
  create_home: boolean;
  createhome?: boolean;
  shell?: string;
  comment?: string;
  password?: string;
  update_password: 'always' | 'on_create';
  remove: boolean;
  force: boolean;
  generate_ssh_key: boolean;
}

interface Account { uid: number; gid: number; comment: string; home: string; shell: string }
interface GroupEntry { name: string; gid: number; members: string[] }
interface Observed { account?: Account; hash?: string; groups: GroupEntry[]; supplementary: string[]; primary?: string }

async function observe(ctx: ModuleContext, name: string): Promise<Observed> {
  const [pw, sh, gr] = await Promise.all([
    ctx.host.run(['getent', 'passwd', name]), ctx.host.run(['getent', 'shadow', name]), ctx.host.run(['getent', 'group']),
  ]);
  const groups: GroupEntry[] = gr.stdout.split('\n').filter(Boolean).map((l) => {
    const f = l.split(':');
    return { name: f[0], gid: Number(f[2]), members: (f[3] ?? '').split(',').filter(Boolean) };
  });
  const f = pw.rc === 0 ? pw.stdout.trim().split(':') : [];
  const account = f.length >= 7 ? { uid: Number(f[2]), gid: Number(f[3]), comment: f[4], home: f[5], shell: f[6] } : undefined;
  const hash = sh.rc === 0 ? sh.stdout.split(':')[1] : undefined;
  const primary = account ? groups.find((g) => g.gid === account.gid)?.name : undefined;
  const supplementary = groups.filter((g) => g.members.includes(name) && g.name !== primary).map((g) => g.name);
  return { account, hash, groups, supplementary, primary };
}

function wantedGroups(p: UserParams): string[] | undefined {
  if (p.groups === undefined) return undefined;
  const list = typeof p.groups === 'string' ? p.groups.split(',') : p.groups;
  return [...new Set(list.map((g) => g.trim()).filter(Boolean))];
}

function groupKnown(o: Observed, g: string): GroupEntry | undefined {
  return o.groups.find((x) => x.name === g || (/^\d+$/.test(g) && x.gid === Number(g)));
}

export const userModule: ModuleDefinition<UserParams, Observed> = {
  name: 'user',
  description:
    'Makes a local user present (useradd, then usermod for what differs: uid, primary group, supplementary groups exactly or with append, ' +
    'comment, home, shell, password hash) or absent (userdel, with remove/force). password is a crypt hash (e.g. from password_hash) and is never ' +
    'shown in output, diffs or --json; update_password on_create sets it only for a new user. ssh_key generation is not done (generate_ssh_key must stay false).',
  schema: {
    properties: {
      name: { type: 'string', pattern: '^[^:,\\s]+$', description: 'User name (alias: user).' },
      user: { type: 'string', pattern: '^[^:,\\s]+$', description: 'Alias of name.' },
      state: { type: 'string', enum: ['present', 'absent'], default: 'present', description: 'Whether the account should exist.' },
      uid: { type: 'integer', minimum: 0, description: 'Numeric user id.' },
      non_unique: { type: 'boolean', default: false, description: 'Allow a uid another user already has (-o).' },
      group: { type: 'string', description: 'Primary group (name or gid); must exist.' },
      groups: { type: ['array', 'string'], items: { type: 'string' }, description: 'Supplementary groups (list or comma-separated); empty removes all unless append.' },
      append: { type: 'boolean', default: false, description: 'Add the groups to those the user has instead of setting exactly these.' },
      system: { type: 'boolean', default: false, description: 'Create a system account (useradd -r); only on creation.' },
      home: { type: 'string', description: 'Home directory.' },
      create_home: { type: 'boolean', default: true, description: 'Create the home directory for a new user (alias: createhome).' },
      createhome: { type: 'boolean', description: 'Alias of create_home.' },
      shell: { type: 'string', description: 'Login shell.' },
      comment: { type: 'string', description: 'The GECOS field (full name).' },
      password: { type: 'string', description: 'Crypt hash of the password (never the clear text); never shown in output.' },
      update_password: { type: 'string', enum: ['always', 'on_create'], default: 'always', description: 'always: set the hash when it differs; on_create: only for a new user.' },
      remove: { type: 'boolean', default: false, description: 'With state absent: also remove the home directory and mail spool (userdel -r).' },
      force: { type: 'boolean', default: false, description: 'With state absent: remove even if the user is logged in (userdel -f).' },
      generate_ssh_key: { type: 'boolean', default: false, enum: [false], description: 'Only false: converge does not generate ssh keys (use a command or copy a key).' },
    },
    anyOf: [{ required: ['name'] }, { required: ['user'] }],
  },
  async plan(raw, ctx) {
    const p = { ...raw, name: raw.name ?? raw.user! };
    const o = await observe(ctx, p.name);
    const changes: Change[] = [];
    const result: Record<string, unknown> = { name: p.name, state: p.state };
    if (p.state === 'absent') {
      if (o.account) changes.push({ property: 'state', before: 'present', after: 'absent', summary: `remove user ${p.name}${p.remove ? ' and its home' : ''}` });
      return { changes, state: o, result };
    }
    const wanted = wantedGroups(p);
    for (const g of [...(p.group !== undefined ? [p.group] : []), ...(wanted ?? [])]) {
      if (groupKnown(o, g)) continue;
      const t = ctx.check ? ctx.ledger.find('group', g) : undefined;
      if (t === undefined) throw new TaskFailedError(`Group ${g} does not exist`);
    }
    if (!o.account) {
      const parts = [p.uid !== undefined && `uid ${p.uid}`, p.group && `group ${p.group}`, wanted?.length && `groups ${wanted.join(',')}`, p.home && `home ${p.home}`, p.shell && `shell ${p.shell}`, p.password !== undefined && 'a password'].filter(Boolean);
      changes.push({ property: 'state', before: 'absent', after: 'present', summary: `add user ${p.name}${parts.length ? ` (${parts.join(', ')})` : ''}` });
      return { changes, state: o, result: { ...result, system: p.system, create_home: p.createhome ?? p.create_home }, provides: [{ kind: 'user', name: p.name }] };
    }
    const a = o.account;
    const diff = (property: string, before: unknown, after: unknown) => changes.push({ property, before, after, summary: `${property} of ${p.name}: ${String(before)} -> ${String(after)}` });
    if (p.uid !== undefined && p.uid !== a.uid) diff('uid', a.uid, p.uid);
    if (p.group !== undefined && groupKnown(o, p.group)?.gid !== a.gid) diff('group', o.primary ?? a.gid, p.group);
    if (wanted) {
      const want = wanted.map((g) => groupKnown(o, g)?.name ?? g).filter((g) => g !== o.primary);
      const missing = want.filter((g) => !o.supplementary.includes(g));
      const extra = p.append ? [] : o.supplementary.filter((g) => !want.includes(g));
      if (missing.length || extra.length) diff('groups', o.supplementary.join(','), (p.append ? [...o.supplementary, ...missing] : want).join(','));
    }
    if (p.comment !== undefined && p.comment !== a.comment) diff('comment', a.comment, p.comment);
    if (p.home !== undefined && p.home !== a.home) diff('home', a.home, p.home);
    if (p.shell !== undefined && p.shell !== a.shell) diff('shell', a.shell, p.shell);
    if (p.password !== undefined && p.update_password === 'always' && p.password !== o.hash) {
      changes.push({ property: 'password', summary: `password of ${p.name} differs (hash not shown)` });
    }
    Object.assign(result, { uid: a.uid, group: a.gid, groups: o.supplementary.join(','), home: a.home, shell: a.shell, comment: a.comment, system: p.system });
    if (p.password !== undefined) result.password = 'NOT_LOGGING_PASSWORD';
    return { changes, state: o, result };
  },
  async apply(raw, planned, ctx) {
    const p = { ...raw, name: raw.name ?? raw.user! };
    const o = planned.state!;
    const run = async (argv: string[]) => {
      const r = await ctx.host.run(argv);
      // The argv may hold the hash: the message names the command only.
      if (r.rc !== 0) throw new TaskFailedError(`${argv[0]} failed (rc ${r.rc}): ${r.stderr.trim().split(p.password ?? '\u0000').join('********')}`);
    };
    if (p.state === 'absent') {
      await run(['userdel', ...(p.remove ? ['-r'] : []), ...(p.force ? ['-f'] : []), p.name]);
      return {};
    }
    const wanted = wantedGroups(p);
    if (!o.account) {
      const createHome = p.createhome ?? p.create_home;
      if (createHome && p.home) for (const d of await missingDirs(ctx.host, dirname(p.home))) await ctx.host.mkdir(d, 0o755);
      const argv = ['useradd'];
      if (p.uid !== undefined) argv.push('-u', String(p.uid), ...(p.non_unique ? ['-o'] : []));
      if (p.group !== undefined) argv.push('-g', p.group);
      else if (o.groups.some((g) => g.name === p.name)) argv.push('-N'); // as Ansible: a group named like the user already exists
      if (wanted?.length) argv.push('-G', wanted.join(','));
      if (p.comment !== undefined) argv.push('-c', p.comment);
      if (p.home !== undefined) argv.push('-d', p.home);
      if (p.shell !== undefined) argv.push('-s', p.shell);
      if (p.password !== undefined) argv.push('-p', p.password);
      argv.push(createHome ? '-m' : '-M');
      if (p.system) argv.push('-r');
      await run([...argv, p.name]);
    } else {
      const argv = ['usermod'];
      for (const c of planned.changes) {
        if (c.property === 'uid') argv.push('-u', String(p.uid), ...(p.non_unique ? ['-o'] : []));
        if (c.property === 'group') argv.push('-g', p.group!);
        if (c.property === 'groups') argv.push(...(p.append ? ['-a'] : []), '-G', String(c.after));
        if (c.property === 'comment') argv.push('-c', p.comment!);
        if (c.property === 'home') argv.push('-d', p.home!);
        if (c.property === 'shell') argv.push('-s', p.shell!);
        if (c.property === 'password') argv.push('-p', p.password!);
      }
      await run([...argv, p.name]);
    }
    const now = await observe(ctx, p.name);
    const a = now.account!;
    return { result: { uid: a.uid, group: a.gid, groups: now.supplementary.join(','), home: a.home, shell: a.shell, comment: a.comment, ...(p.password !== undefined ? { password: 'NOT_LOGGING_PASSWORD' } : {}) } };
  },
};
