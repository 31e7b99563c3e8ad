// The connection variables converge understands, with their types.

export const CONNECTION_VARS_SCHEMA: Record<string, unknown> = {
  type: 'object',
  properties: {
    ansible_host: { type: 'string', minLength: 1 },
    ansible_port: { type: 'integer', minimum: 1, maximum: 65535 },
    ansible_user: { type: 'string', pattern: '^[A-Za-z0-9._][A-Za-z0-9._-]*$' },
    ansible_connection: { enum: ['ssh', 'local', 'chroot', 'paramiko', 'smart'] },
    ansible_ssh_private_key_file: { type: 'string' },
    ansible_password: { type: 'string' },
    ansible_become: { type: 'boolean' },
    ansible_become_user: { type: 'string', pattern: '^[A-Za-z0-9._][A-Za-z0-9._-]*$' },
    ansible_become_password: { type: 'string' },
    ansible_become_method: { enum: ['sudo'] },
  },
};
