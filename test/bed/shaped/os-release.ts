// The identity files of the shaped distributions (what their *-release
// packages ship). Values follow the real releases; a comment and an extra
// variable say that the host is SHAPED (Debian 12 underneath).

export interface ShapedDistro {
  flavor: string;
  family: 'rocky' | 'suse';
  versionId: string;
  major: string;
  osRelease: string;
  /** Other release files: path -> content. */
  releaseFiles: Record<string, string>;
  releasePackage: string;
}

const SHAPED_NOTE = '# SHAPED by the converge test bed: Debian 12 underneath, not the real distribution.\nCONVERGE_TESTBED_SHAPED="debian12"\n';

function rocky(major: string, minor: string, codename: string): ShapedDistro {
  const v = `${major}.${minor}`;
  const osRelease = `NAME="Rocky Linux"
VERSION="${v} (${codename})"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="${v}"
PLATFORM_ID="platform:el${major}"
PRETTY_NAME="Rocky Linux ${v} (${codename})"
ANSI_COLOR="0;32"
LOGO="fedora-logo-icon"
CPE_NAME="cpe:/o:rocky:rocky:${major}::baseos"
HOME_URL="https://rockylinux.org/"
BUG_REPORT_URL="https://bugs.rockylinux.org/"
SUPPORT_END="${{ '8': '2029-05-31', '9': '2032-05-31', '10': '2035-05-31' }[major]}"
ROCKY_SUPPORT_PRODUCT="Rocky-Linux-${major}"
ROCKY_SUPPORT_PRODUCT_VERSION="${v}"
REDHAT_SUPPORT_PRODUCT="Rocky Linux"
REDHAT_SUPPORT_PRODUCT_VERSION="${v}"
${SHAPED_NOTE}`;
  const release = `Rocky Linux release ${v} (${codename})\n`;
  return {
    flavor: `rocky${major}`, family: 'rocky', versionId: v, major, osRelease, releasePackage: 'rocky-release',
    releaseFiles: { '/etc/rocky-release': release, '/etc/rocky-release-upstream': `Derived from Red Hat Enterprise Linux ${v}\n`, '/etc/system-release-cpe': `cpe:/o:rocky:rocky:${major}::baseos\n` },
  };
}

export const SHAPED_DISTROS: Record<string, ShapedDistro> = {
  rocky8: rocky('8', '10', 'Green Obsidian'),
  rocky9: rocky('9', '6', 'Blue Onyx'),
  rocky10: rocky('10', '0', 'Red Quartz'),
  suse15: {
    flavor: 'suse15', family: 'suse', versionId: '15.6', major: '15', releasePackage: 'openSUSE-release',
    osRelease: `NAME="openSUSE Leap"
VERSION="15.6"
ID="opensuse-leap"
ID_LIKE="suse opensuse"
VERSION_ID="15.6"
PRETTY_NAME="openSUSE Leap 15.6"
ANSI_COLOR="0;32"
CPE_NAME="cpe:/o:opensuse:leap:15.6"
BUG_REPORT_URL="https://bugs.opensuse.org"
HOME_URL="https://www.opensuse.org/"
DOCUMENTATION_URL="https://en.opensuse.org/Portal:Leap"
LOGO="distributor-logo-Leap"
${SHAPED_NOTE}`,
    releaseFiles: { '/etc/SUSE-brand': 'openSUSE\nVERSION = 15.6\n' },
  },
};
