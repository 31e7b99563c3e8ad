// rpm_key: a key file's id from gpg's colon listing, imported when no
// gpg-pubkey in the rpm database lists that id, planned from a scripted host.
// Recorded on the build machine (Debian's rpm 4.18, gnupg 2.2) by running the
// module with a HOME of its own (Debian's rpm keeps its database there) on two
// ed25519 keys made with gpg for the purpose. The scripted host answers by
// argv, not by what gpg reads on stdin: each row has one key, whose listing
// is also the listing of the imported key's %{description}.

import { rpmKeyModule } from '../../modules/rpm-key.js';
import { planTable } from './plan-table.js';

const KEY = '/etc/pki/rpm-gpg/RPM-GPG-KEY-cluster';
const BUILD = `-----BEGIN PGP PUBLIC KEY BLOCK-----

mDMEaxKzIhYJKwYBBAHaRw8BAQdAK+uAzHDUebIIHlyaSMfHvbuoEbWFjY0fO3ZJ
B+XWgpS0JmNsdXN0ZXIgYnVpbGQgPGJ1aWxkQGNvbnZlcmdlLmludmFsaWQ+iJAE
ExYIADgWIQTf5FKAVtm51QmAAKogUA+NRJWpngUCaxKzIgIbAwULCQgHAgYVCgkI
CwIEFgIDAQIeAQIXgAAKCRAgUA+NRJWpnndUAQDw9kDLa5aMQNvtuq/4Of4xhWd8
f/wmY+eQ8WhFyN7azwEAoc7dF3LkscvGy19tyyiLiJoA8LwVzoeVHCFfHb8qvA8=
=L4AP
-----END PGP PUBLIC KEY BLOCK-----
`;
const OTHER = `-----BEGIN PGP PUBLIC KEY BLOCK-----

mDMEaxKzIhYJKwYBBAHaRw8BAQdAK5ydbQ8x/aXy40Zjj3wHDq8wtsYiwjyo+QM8
La1Cx1y0JmNsdXN0ZXIgb3RoZXIgPG90aGVyQGNvbnZlcmdlLmludmFsaWQ+iJAE
ExYIADgWIQSNNKCUXnjxpG9GJt+Z1cS2vc7GPgUCaxKzIgIbAwULCQgHAgYVCgkI
CwIEFgIDAQIeAQIXgAAKCRCZ1cS2vc7GPvItAPwJmB7jEk+DZG+YdXiogRZFr9gr
txV1CuDvL8I0HTGZSAEAhZ8f+UoTcBw6X43xSD2UOAPFWA0jokiXFQWJP5nf3A4=
=Ah2j
-----END PGP PUBLIC KEY BLOCK-----
`;
// rpm -q gpg-pubkey --qf %{description} once BUILD was imported.
const IMPORTED = `-----BEGIN PGP PUBLIC KEY BLOCK-----
Version: rpm-4.18.0

mDMEaxKzIhYJKwYBBAHaRw8BAQdAK+uAzHDUebIIHlyaSMfHvbuoEbWFjY0fO3ZJ
B+XWgpS0JmNsdXN0ZXIgYnVpbGQgPGJ1aWxkQGNvbnZlcmdlLmludmFsaWQ+iJAE
ExYIADgWIQTf5FKAVtm51QmAAKogUA+NRJWpngUCaxKzIgIbAwULCQgHAgYVCgkI
CwIEFgIDAQIeAQIXgAAKCRAgUA+NRJWpnndUAQDw9kDLa5aMQNvtuq/4Of4xhWd8
f/wmY+eQ8WhFyN7azwEAoc7dF3LkscvGy19tyyiLiJoA8LwVzoeVHCFfHb8qvA8=
=L4AP
-----END PGP PUBLIC KEY BLOCK-----
`;
const GPG = 'gpg --no-tty --batch --with-colons --fixed-list-mode';
const GUESS = 'gpg: WARNING: no command supplied.  Trying to guess what you mean ...\n';
const listing = (text: string) => ({ rc: 0, stdout: text, stderr: GUESS });
const BUILD_LISTING = listing('pub:-:255:22:20500F8D4495A99E:1796387618:::-:\nuid:::::::::cluster build <build@converge.invalid>:\n');
const QUERY = 'rpm -q gpg-pubkey --qf %{description}';
const NONE = { rc: 1, stdout: 'package gpg-pubkey is not installed\n', stderr: '' };
const TMP = '/tmp/converge-rpmkey.BnQv5Z38';
const ALIEN = 'rpm: RPM should not be used directly install RPM packages, use Alien instead!\nrpm: However assuming you know what you are doing...\n';

planTable(rpmKeyModule, [
  {
    name: 'a key not in the rpm database is imported from a root-only temp file',
    params: { key: KEY },
    observed: {
      paths: { [KEY]: { content: BUILD } },
      commands: { [`${GPG} -`]: BUILD_LISTING, [QUERY]: [NONE, IMPORTED] },
      effects: {
        'mktemp -d -t converge-rpmkey.XXXXXXXX': { rc: 0, stdout: `${TMP}\n`, stderr: '', sets: { [TMP]: { dir: true, mode: 0o700 } } },
        [`rpm --import ${TMP}/key.asc`]: '',
      },
    },
    changes: [{ property: 'key:20500F8D4495A99E', before: 'absent', after: 'imported', summary: `would import key 20500F8D4495A99E (${KEY})` }],
    actions: ['run mktemp -d -t converge-rpmkey.XXXXXXXX', `write ${TMP}/key.asc 0600`, `run rpm --import ${TMP}/key.asc`, `remove ${TMP}`],
  },
  {
    name: 'an imported key: in sync',
    params: { key: KEY },
    observed: { paths: { [KEY]: { content: BUILD } }, commands: { [`${GPG} -`]: BUILD_LISTING, [QUERY]: IMPORTED } },
    changes: [],
    actions: [],
  },
  {
    name: 'absent by key id: rpm --erase of its gpg-pubkey',
    params: { key: '0x20500F8D4495A99E', state: 'absent' },
    observed: {
      commands: { [`${GPG} -`]: BUILD_LISTING, [QUERY]: [IMPORTED, NONE] },
      effects: { 'rpm --erase --allmatches gpg-pubkey-4495a99e': { rc: 0, stdout: '', stderr: ALIEN } },
    },
    changes: [{ property: 'key:20500F8D4495A99E', before: 'imported', after: 'absent', summary: 'would remove gpg-pubkey-4495a99e' }],
    actions: ['run rpm --erase --allmatches gpg-pubkey-4495a99e'],
  },
  {
    name: 'a key whose fingerprint is not the one given fails before the import',
    params: { key: '/etc/pki/rpm-gpg/RPM-GPG-KEY-other', fingerprint: 'DFE4 5280 56D9 B9D5 0980  00AA 2050 0F8D 4495 A99E' },
    observed: {
      paths: { '/etc/pki/rpm-gpg/RPM-GPG-KEY-other': { content: OTHER } },
      commands: {
        [`${GPG} -`]: listing('pub:-:255:22:99D5C4B6BDCEC63E:1796387618:::-:\nuid:::::::::cluster other <other@converge.invalid>:\n'),
        [QUERY]: NONE,
        [`${GPG} --with-fingerprint -`]: listing('pub:-:255:22:99D5C4B6BDCEC63E:1796387618:::-:\nfpr:::::::::8D34A0945E78F1A46F4626DF99D5C4B6BDCEC63E:\nuid:::::::::cluster other <other@converge.invalid>:\n'),
      },
    },
    fails: /The specified fingerprint, 'DFE4528056D9B9D5098000AA20500F8D4495A99E', does not match the key fingerprint '8D34A0945E78F1A46F4626DF99D5C4B6BDCEC63E'/,
  },
]);
