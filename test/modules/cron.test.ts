// cron, side by side with ansible-playbook: jobs and variables in a cron_file
// under the temp tree and in a throwaway user's crontab (the real crontab
// command), with the resulting files and crontabs compared.

import { after, test } from 'node:test';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { differential } from './fixtures/ansible-differential.js';

const USERS = ['cvgccron', 'cvgacron'];
const cleanup = () => { for (const u of USERS) { spawnSync('crontab', ['-u', u, '-r'], { stdio: 'ignore' }); spawnSync('userdel', ['-f', u], { stdio: 'ignore' }); spawnSync('groupdel', [u], { stdio: 'ignore' }); } };
after(cleanup);

test('cron: converge and ansible-playbook agree on cron files and crontabs', { timeout: 300_000 }, async () => {
  cleanup();
  await differential({
    vars: `    u: "{{ 'cvgccron' if '/cvg-diff-c-' in playbook_dir else 'cvgacron' }}"\n`,
    setup: (root) => {
      const u = root.includes('/cvg-diff-c-') ? 'cvgccron' : 'cvgacron';
      execFileSync('useradd', ['-M', u]);
      execFileSync('crontab', ['-u', u, '-'], { input: '#Ansible: old\n0 1 * * * /bin/old\n5 5 * * * /usr/bin/unmarked\n' });
      writeFileSync(`${root}/cluster`, 'SHELL=/bin/sh\n#Ansible: gone\n@daily root /bin/gone\n');
      writeFileSync(`${root}/single`, '#Ansible: only\n* * * * * root /bin/only\n');
    },
    tasks: `
    - name: a job in a cron file
      cron: { name: backup, minute: "30", hour: "2", user: root, job: /usr/local/bin/backup, cron_file: "{{ root }}/cluster" }
      register: c1
    - name: show c1
      debug: { msg: "{{ c1.jobs | join(',') }} {{ c1.envs | join(',') }}" }
    - name: a variable after SHELL
      ansible.builtin.cron: { name: MAILTO, env: true, job: admin@cluster, insertafter: SHELL, user: root, cron_file: "{{ root }}/cluster" }
    - name: special time, disabled
      cron: { name: reboot-hook, special_time: reboot, disabled: true, user: root, job: /bin/hook, cron_file: "{{ root }}/cluster" }
    - name: remove a job
      cron: { name: gone, state: absent, cron_file: "{{ root }}/cluster" }
    - name: the last job leaves, the file goes
      cron: { name: only, state: absent, cron_file: "{{ root }}/single" }
    - name: a user crontab job replaced
      cron: { name: old, user: "{{ u }}", minute: "*/5", job: /bin/new }
    - name: an unmarked identical job is adopted
      cron: { name: adopted, user: "{{ u }}", minute: "5", hour: "5", job: /usr/bin/unmarked }
    - name: dow and dom aliases
      cron: { name: weekly, user: "{{ u }}", dow: "1", dom: "1-7", job: /bin/weekly }
    - name: special and time together fail
      cron: { name: bad, user: "{{ u }}", special_time: daily, hour: "1", job: /bin/x }
      ignore_errors: true
      register: bad
    - name: show bad
      debug: { msg: "{{ bad.msg }}" }
    - name: the crontab
      command: crontab -u {{ u }} -l
      register: tab
      changed_when: false
    - name: show the crontab
      debug: { msg: "{{ tab.stdout }}" }
`,
  });
});
