// sysconfig: one KEY=value of a /etc/sysconfig-style file, planned from a scripted host.

import { sysconfigModule } from '../../modules/sysconfig.js';
import { planTable } from './plan-table.js';

planTable(sysconfigModule, [
  {
    name: 'an empty value is set, comments kept',
    params: { path: '/etc/sysconfig/dhcpd', key: 'DHCPDARGS', value: 'eth1' },
    observed: { paths: { '/etc/sysconfig/dhcpd': { content: '# comment\nDHCPDARGS=\n' } } },
    changes: [{ property: 'key:DHCPDARGS', summary: 'would set DHCPDARGS=eth1' }, { property: 'content', summary: 'update content of /etc/sysconfig/dhcpd' }],
    actions: ['write /etc/sysconfig/dhcpd 0644'],
    after: { '/etc/sysconfig/dhcpd': '# comment\nDHCPDARGS=eth1\n' },
  },
  {
    name: 'the value is there: in sync',
    params: { path: '/etc/sysconfig/dhcpd', key: 'DHCPDARGS', value: 'eth1' },
    observed: { paths: { '/etc/sysconfig/dhcpd': { content: 'DHCPDARGS=eth1\n' } } },
    changes: [],
    actions: [],
  },
]);
