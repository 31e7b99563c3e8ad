// firewalld: planned from what the module reads of a real firewalld. The
// answers in recorded/firewalld/ were recorded by running this module on a
// Debian 12 test-bed host (the debian12-daemons flavor, firewalld 1.3.3) for
// each row's parameters, in the order below, logging every command and its
// answer: the D-Bus probe (busctl; exit 7 while the daemon is stopped, then
// the firewall-cmd / firewall-offline-cmd probe), and firewall-cmd's own
// answers to the changes. The probe scripts are stored once, named $PROBE and
// $DBUS_ZONES_PROBE in the logged argv; a changed script no longer matches the
// recording, and the rows fail until it is recorded again. The D-Bus answers
// were recorded with the earlier probe that asked one question at a time, and
// rewritten into DBUS_ZONES_PROBE's output when it replaced that probe: the
// same replies, without the default zone these rows do not ask for, and the
// stopped daemon's answer as this probe gives it (the zone could not be asked).

import { firewalldModule } from '../../modules/firewalld.js';
import { planTable } from './plan-table.js';
import { loadRecording } from './recorded-run.js';

const recorded = loadRecording('firewalld/debian12-firewalld-1.3.3.json');

planTable(firewalldModule, [
  {
    name: 'daemon stopped: firewall-offline-cmd adds a service to the permanent zone',
    params: { zone: 'public', service: 'nfs', state: 'enabled' },
    observed: recorded('offline-service-nfs'),
    changes: [{ property: 'service:nfs', before: 'disabled', after: 'enabled', summary: 'would enable service nfs in zone public (permanent)' }],
    actions: ['run firewall-offline-cmd --zone=public --add-service=nfs'],
  },
  {
    name: 'daemon running: a service added permanently and at runtime',
    params: { zone: 'public', service: 'http', state: 'enabled' },
    observed: recorded('service-http-enable'),
    changes: [{ property: 'service:http', before: 'disabled', after: 'enabled', summary: 'would enable service http in zone public (permanent and runtime)' }],
    actions: ['run firewall-cmd --permanent --zone=public --add-service=http', 'run firewall-cmd --zone=public --add-service=http'],
  },
  {
    name: 'the service is there in both: in sync',
    params: { zone: 'public', service: 'http', state: 'enabled' },
    observed: recorded('service-http-again'),
    changes: [],
    actions: [],
  },
  {
    name: 'immediate: false changes only the permanent configuration',
    params: { zone: 'public', port: '8080/tcp', state: 'enabled', immediate: false },
    observed: recorded('port-permanent-only'),
    changes: [{ property: 'port:8080/tcp', summary: 'would enable port 8080/tcp in zone public (permanent)' }],
    actions: ['run firewall-cmd --permanent --zone=public --add-port=8080/tcp'],
  },
  {
    name: 'disabled removes the service from both',
    params: { zone: 'public', service: 'http', state: 'disabled' },
    observed: recorded('service-http-disable'),
    changes: [{ property: 'service:http', before: 'enabled', after: 'disabled', summary: 'would disable service http in zone public (permanent and runtime)' }],
    actions: ['run firewall-cmd --permanent --zone=public --remove-service=http', 'run firewall-cmd --zone=public --remove-service=http'],
  },
  {
    name: 'an unknown zone fails before anything changes',
    params: { zone: 'nosuchzone', service: 'http', state: 'enabled' },
    observed: recorded('unknown-zone'),
    fails: /zone nosuchzone does not exist on scripted \(create it with state: present\)/,
  },
  {
    name: 'a service firewalld does not know fails before anything changes',
    params: { zone: 'public', service: 'nosuchservice', state: 'enabled' },
    observed: recorded('unknown-service'),
    fails: /firewalld has no service 'nosuchservice' \(INVALID_SERVICE\)/,
  },
]);
