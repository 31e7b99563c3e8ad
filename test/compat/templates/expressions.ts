// The expressions of the differential suite: what everyday playbooks write
// inside {{ }}, over the values of fixture-vars.ts. Each is rendered as text
// (as in a template file) by converge and by ansible-playbook.

const literals = [
  '42', '-7', '3.14', '1.0', '2.50', '0.1 + 0.2', "'str'", '"dq"', 'True', 'False', 'None', 'true', 'false', 'none',
  '[1, 2]', "['a', 'b']", "{'a': 1}", '(1, 2)', '()', '[]', '{}', "[1, 'a', None, True]", "{'k': [1, {'n': None}]}",
  "('x',)", '1e3', '10 ** 20', '-0.0', "\"it's\"", "'a\\tb'", "{'b': 1, 'a': 2}", '[[1, 2], [3]]',
  "[{'a': 'x'}]", "{'t': True, 'n': None, 'f': 1.5}", '1.5e-3', '100000000000000000000', '7 / 2', '8 / 2',
];

const variables = [
  's', 'n', 'f', 'neg', 't', 'fl', 'none', 'lst', 'words', 'd', 'nested', 'users[0]', 'mixed', 'empty_list',
  'empty_str', 'empty_dict', 'ports', 'hostsdict', 'pkgs', 'matrix', 'servers[0]', 'version', 'num_str', 'sizes',
  'multiline', 'spaced', 'mode_str', 'dup_dicts',
];

const arithmetic = [
  'n + 1', 'n - 10', 'n * 3', 'n / 2', 'n // 2', 'n % 3', 'n ** 2', '-n', 'f * 2', 'n / 7', '10 / 5', '2 ** 10',
  '2 ** -1', '7 // -2', '-7 % 3', '-7 // 2', '7.5 // 2', '7 % 2.5', "'ab' * 3", "3 * 'ab'", '[1] * 3', "'a' + 'b'",
  'lst + [4]', "'%s-%s' % ('a', 'b')", "'%d items' % n", "'%05.2f' % f", "'%s' % lst", "'x' ~ n", 'n ~ f',
  "'%(a)s and %(b)s' % d", "'%x' % 255", "'%o' % 8", "'%5s|' % 'ab'", "'%-5s|' % 'ab'", "'%.3f' % (1 / 3)",
  "'%s' % none", "'%s' % t", "'%r' % 'q'", "'%i%%' % 50", 'n + f', 'f - 0.5', '0.1 * 3', '1 / 3', 'n * -1',
  "n ~ ''", "t ~ ''", "none ~ ''", "lst ~ ''", "d ~ ''", '(n + 1) * 2', 'n + n * n', '2 ** 3 ** 2', '-2 ** 2',
  'sizes[0] * 4', 'sizes | sum', "(users | length) * 10", 'ports[1] - ports[0]', 'n // 0.5', '1 - 1.0',
];

const comparisons = [
  'n == 7', 'n != 7', 'n > 5', 'n >= 7', 'n < 7', 'lst == [3, 1, 2]', "d == {'a': 1, 'b': 2, 'c': 3}", '[] == []',
  'empty_list == []', "'a' in words", "'z' not in words", "'b' in d", "'ell' in s", '1 in lst', 't and fl', 't or fl',
  'not t', 'n if t else 0', "'yes' if empty_list else 'no'", "'yes' if empty_str else 'no'", "'yes' if empty_dict else 'no'",
  "'yes' if none else 'no'", "'yes' if '0' else 'no'", "'yes' if 0.0 else 'no'", '1 < n < 10', 'none == None',
  '(1, 2) == (1, 2)', '1 == 1.0', "'1' == 1", 'n and s', 'fl or empty_list', 'empty_str or "fallback"', 'none or 0',
  "users[0] == {'name': 'alice', 'uid': 1001, 'groups': ['wheel', 'users'], 'shell': '/bin/bash', 'active': True}",
  '[1, 2] < [1, 3]', "'abc' < 'abd'", "'B' < 'a'", 'lst != [3, 1, 2]', '80 in ports', "'web1' in hostsdict",
  "'10.0.0.1' in hostsdict.values() | list", 'not empty_list', 'not none', "n > 5 and 'x' or 'y'", 'fl and 1 or 2',
  't == 1', 'fl == 0', 'none is none', 'n is not none', "s == 'Hello World'", "version == '2.14.3'",
];

const indexing = [
  'lst[0]', 'lst[-1]', 'lst[1:]', 'lst[:-1]', 'lst[::-1]', 's[0]', 's[-5:]', 's[::2]', 'words[1:3]', 'nested.x.y[1].z',
  "nested['x']['y'][0]", "d['a']", 'd.a', 'users[1].name', "users[1]['groups']", 'users[-1].uid', 'servers[2].tags[0]',
  "pkgs['Debian'][1]", 'matrix[1][1][0]', 'mixed[1:3]', "s[0:5]", 's[-1]', 'lst[5:]', 'lst[-2:]', "'abc'[1:]",
  'ports[:2]', 'version[:4]', 'hostsdict.web1', "hostsdict['db1']", '(1, 2, 3)[1]', "[10, 20, 30][1:][0]",
  'words[0:4:2]', 'csv[::-1]', 'servers[0].host', 'lst[1:2][0]',
];

const methods = [
  's.upper()', 's.lower()', 's.split()', "csv.split(',')", "s.startswith('He')", "s.endswith('x')", "s.replace('l', 'L')",
  "'  pad '.strip()", "s.find('W')", "s.count('l')", "'-'.join(words)", 's.title()', "'hello'.capitalize()",
  "'x={}'.format(n)", "'{0}-{1}'.format('a', 'b')", "s.split(' ')[1]", "csv.split(',', 1)", "csv.rsplit(',', 1)",
  "'42'.isdigit()", "s.lstrip('H')", "version.split('.')[0] | int", "path.rsplit('/', 1)[0]", 'spaced.strip()',
  'spaced.rstrip()', 'spaced.lstrip()', 'multiline.splitlines()', "s.split('o')", "'a b  c'.split(' ')",
  "path.split('/')[-1]", "s.replace('o', '0', 1)", "'{}:{}'.format(ip, ports[0])", "'{name}'.format(name='x')",
  "ip.split('.')[:3] | join('.')", "'ab'.zfill(5)", "'Ab'.islower()", "s.isupper()", "'abc'.isalpha()",
  "csv.upper().split(',')", "'x'.join(['1', '2'])", "s.rfind('o')", "'a,b,,c'.split(',')",
  'd.keys() | list', 'd.values() | list | sort', 'd.items() | list', "d.get('a')", "d.get('z', 'dflt')", "d.get('z')",
  'hostsdict.items() | sort', 'hostsdict.keys() | sort | first', 'users[0].keys() | list | length',
  "pkgs.get('Suse', [])", "d.items() | map('first') | list", 'users[0].items() | list | length',
];

const jinjaFilters = [
  '-5 | abs', 'f | abs', 'lst | batch(2) | list', "'ab' | center(6)", 'd | dictsort', "d | dictsort(reverse=true)",
  'lst | first', 'lst | last', 'words | first', "'3.5' | float", 'n | float', "'x%sy' | format(1)", "'%s=%s' | format('k', 'v')",
  "users | groupby('shell') | list | length", "multiline | indent(2)", "multiline | indent(4, true)", "'42' | int",
  "'0x1f' | int(base=16)", "'abc' | int", "'3.9' | int", 'f | int', "words | join(',')", "users | join(', ', attribute='name')",
  'lst | join', 'words | length', 's | length', 'd | length', 'd | count', 'd | list', "'ab' | list", 'lst | max', 'lst | min',
  "users | map(attribute='name') | list", "users | map(attribute='uid') | max", "words | map('upper') | list",
  "lst | map('string') | list", "users | map(attribute='missing', default='-') | list", 'words | reject("equalto", "a") | list',
  "users | rejectattr('active') | map(attribute='name') | list", "s | replace('World', 'There')", "s | replace('l', 'L', 2)",
  'lst | reverse | list', "s | reverse", '3.14159 | round(2)', '2.5 | round', '3.5 | round', '2.567 | round(1, "floor")',
  '7 | round', "lst | select('odd') | list", "lst | select('gt', 1) | list", "users | selectattr('active') | map(attribute='name') | list",
  "users | selectattr('uid', 'gt', 1001) | map(attribute='name') | list", "users | selectattr('name', 'equalto', 'bob') | first",
  "servers | selectattr('tags', 'contains', 'prod') | map(attribute='host') | list", "lst | slice(2) | list", 'lst | sort',
  'words | sort', 'words | sort(reverse=true)', "users | sort(attribute='uid', reverse=true) | map(attribute='name') | list",
  'n | string', 'lst | string', 'd | string', 't | string', 'none | string', "html | striptags", 'lst | sum',
  "users | sum(attribute='uid')", 's | title', 'spaced | trim', "'a long sentence here' | truncate(9)", 'words | unique | list',
  's | upper', 's | lower', 's | capitalize', "'a b' | urlencode", "{'a': 'b c'} | urlencode", 's | wordcount',
  "'aaa bbb ccc' | wordwrap(5)", "{'id': 'x', 'class': 'y'} | xmlattr", 'd | tojson', 'lst | tojson', "'é' | tojson",
  'empty_list | default([1])', "none | default('d')", "missing_var | default('dflt')", "empty_str | default('d', true)",
  '[] | default("d", true)', "0 | default('d', true)", "fl | default('d', true)", "missing_var | d('x')",
  "none | default('d', true)", 'mixed | select | list', 'mixed | reject | list', "mixed | map('string') | list",
  'lst | list | sort | first', "words | unique | sort | join('')", 's | e', "'a' | safe", 'ports | sum / ports | length',
  "servers | map(attribute='tags') | list", "lst | map('int') | sum", "['3', '1'] | map('int') | sort | list",
  "users | map(attribute='groups') | flatten | unique | list", "servers | map(attribute='port') | select('lt', 1000) | list",
  "{'b': 1, 'a': 2} | dictsort | first", "d | dictsort(by='value') | last", "lst | batch(2, 'x') | list",
  "words | map('length') | list", "ports | map('string') | join(':')", "words | select('equalto', 'a') | list | length",
  "users | map(attribute='name') | map('upper') | list", "hostsdict | dictsort | map('last') | list",
  "'abc' | batch(2) | list", "range(3) | list", "range(1, 10, 3) | list", "range(5) | sum", 'lipsum is defined',
  "dict(a=1, b=2)", "dict(a=1) | length", "namespace(x=1).x",
];

const ansibleFilters = [
  'd | to_json', 'lst | to_json', 'nested | to_json', "'x' | to_json", 'none | to_json', 't | to_json', 'f | to_json',
  'd | to_nice_json', 'users[0] | to_nice_json', 'd | to_nice_json(indent=2)', "'{\"a\": [1, 2]}' | from_json",
  "('{\"a\": 1}' | from_json).a", 'd | to_yaml', 'lst | to_yaml', 'users[2] | to_yaml', "'plain' | to_yaml", 'd | to_nice_yaml',
  'nested | to_nice_yaml', "'a: 1' | from_yaml", "('[1, 2]' | from_yaml) | sum", "'yes' | bool", "'no' | bool", "'1' | bool",
  "'on' | bool", '0 | bool', "'True' | bool", 'none | bool', 't | ternary("on", "off")', 'fl | ternary("on", "off")',
  "none | ternary('a', 'b', 'c')", "s | regex_replace('o', '0')", "s | regex_replace('^(\\\\w+) (\\\\w+)$', '\\\\2 \\\\1')",
  "ip | regex_replace('\\\\.\\\\d+$', '.0')", "s | regex_search('W\\\\w+')", "s | regex_search('xyz')", "s | regex_findall('o')",
  "'a1b22c333' | regex_findall('\\\\d+')", "'k=v; k2=v2' | regex_findall('(\\\\w+)=(\\\\w+)')", "'a.b' | regex_escape",
  "s | regex_search('(\\\\w+) (\\\\w+)', '\\\\2')", "'ABC' | regex_replace('b', 'x', ignorecase=true)",
  "'a b' | quote", "'plain' | quote", "\"it's\" | quote", 'path | basename', 'path | dirname', 'path | splitext',
  "'/a/b/' | basename", "'archive.tar.gz' | splitext | last", "'hello' | b64encode", "'aGVsbG8=' | b64decode",
  "'hello' | hash('md5')", "'hello' | hash('sha1')", "'hello' | hash('sha256')", "'hello' | checksum", "'hello' | md5",
  "'hello' | sha1", 'words | unique', 'matrix | flatten', 'matrix | flatten(levels=1)', "d | combine({'d': 4})",
  "d | combine({'a': 9}, {'e': 5})", "nested | combine({'x': {'w': 1}}, recursive=true)", "nested | combine({'x': {'w': 1}})",
  'd | dict2items', "d | dict2items(key_name='k', value_name='v')", "[{'key': 'a', 'value': 1}] | items2dict",
  "[{'n': 'a', 'v': 1}] | items2dict(key_name='n', value_name='v')", 'lst | zip(words) | list', "lst | zip_longest(['x']) | list",
  "[1, 2] | zip(['a', 'b'], [True, False]) | list", 'lst | min', 'lst | max', "'host1' | to_uuid", 'n | type_debug',
  'f | type_debug', 's | type_debug', 'lst | type_debug', 'd | type_debug', 'none | type_debug', 't | type_debug',
  '(1, 2) | type_debug', "['web1', 'db1'] | map('extract', hostsdict) | list", "[0, 2] | map('extract', lst) | list",
  "net | ipaddr('network')", "net | ipaddr('netmask')", "net | ipaddr('prefix')", "net | ipaddr('broadcast')",
  "net | ipaddr(1) | ipaddr('address')", "ip | ipaddr", "'300.1.1.1' | ipaddr", "net | ipaddr('size')",
  'lst | union([4, 1])', 'lst | difference([1])', 'lst | intersect([2, 3, 9])', 'lst | symmetric_difference([1, 5])',
  "['a', 'b'] | product([1, 2]) | list", "[1, 2, 3] | permutations(2) | list | length", "[1, 2, 3] | combinations(2) | list",
  '1024 | human_readable', '1048576 | human_readable', "'1K' | human_to_bytes", "'2 MB' | human_to_bytes",
  "1500000000 | human_readable(isbits=true)", "csv | split(',')", "s | split", "'a-b' | split('-') | last",
  "'line' | comment", "'x' | mandatory", "users | subelements('groups') | length", "users | subelements('groups') | first | last",
  "d | dict2items | map(attribute='key') | list", "{'a': 1} | combine(d) | dictsort", "'2024-01-02' | to_datetime('%Y-%m-%d')",
  "('2024-01-02' | to_datetime('%Y-%m-%d')).year", "lst | random is number", "'abc' | shuffle | length",
  "'a\\nb' | regex_replace('\\\\n', ' ')", "' ' | regex_replace('^\\\\s*$', 'blank')", 'mode_str | int(base=8)',
  "'%o' | format(420)", "users | items2dict(key_name='name', value_name='uid')", "users | map(attribute='shell') | map('basename') | list",
  "hostsdict | dict2items | selectattr('value', 'match', '10.0.0') | map(attribute='key') | list", "d | dict2items | sort(attribute='value') | last",
  "{'k': 'v'} | to_json(sort_keys=true)", "{'b': 1, 'a': 2} | to_json", "{'b': 1, 'a': 2} | to_nice_json",
  "path | regex_replace('^/etc', '/srv')", "'x' | ansible.builtin.quote", "lst | ansible.builtin.to_json", "ports | join(',') | hash('md5')",
  "'host' ~ '%03d' | format(7)", "'%03d' | format(7)", "'node-%02d' | format(n)", "'{{ \"raw\" }}'", "version is version('2.10', '>=')",
  "version is version('2.14.3', '==')", "version is version('3.0', '<')", "'1.10' is version('1.9', '>')", "version is version_compare('2.0', 'gt')",
];

const tests = [
  'n is defined', 'missing_var is defined', 'missing_var is undefined', 'none is none', 'n is none', 's is string', 'n is string',
  'n is number', 'f is number', 's is number', 'n is integer', 'f is integer', 'f is float', 'd is mapping', 'lst is mapping',
  'lst is sequence', 's is sequence', 'd is sequence', 'lst is iterable', 'n is iterable', 't is boolean', 'n is boolean',
  'n is odd', 'n is even', '10 is divisibleby 5', '10 is divisibleby(3)', 'n is sameas 7', "'abc' is lower", "'ABC' is upper",
  "s is match('Hel')", "s is match('World')", "s is search('World')", "s is regex('^H.*d$')", "'a' is in(words)",
  'lst is contains(2)', '[1, 2] is subset(lst)', 'lst is superset([1])', 'n is eq 7', 'n is ne 7', 'n is gt 3', 'n is ge 8',
  'n is lt 10', 'n is le 7', "n is equalto 7", "'x' is in('xyz')", 'users | selectattr("shell", "search", "sh$") | list | length',
  "ip is ipaddr", "'foo' is ipaddr", "path is abs", "'rel/p' is abs", 'empty_list is truthy', 'lst is truthy', 'fl is falsy',
  "t is sameas true", "d is defined and d.a is defined", "d.z is defined", "d.z is not defined", "nested.x.q is undefined",
  'lst is not string', "users[0] is mapping", "t is true", "fl is false", "none is false", 'n is not mapping', "1.0 is float",
];

const structures = [
  "{% for u in users %}{{ u.name }}{% if not loop.last %},{% endif %}{% endfor %}",
  "{% for k, v in d | dictsort %}{{ k }}={{ v }};{% endfor %}", "{% for x in lst %}{{ loop.index }}:{{ x }} {% endfor %}",
  "{% for x in empty_list %}x{% else %}none{% endfor %}", "{% set a = 5 %}{{ a * 2 }}", "{% set l = [] %}{% for x in lst %}{% set _ = l.append(x * 2) %}{% endfor %}{{ l }}",
  "{% set ns = namespace(total=0) %}{% for x in lst %}{% set ns.total = ns.total + x %}{% endfor %}{{ ns.total }}",
  "{% if n > 5 %}big{% elif n > 2 %}mid{% else %}small{% endif %}", "{% macro m(a, b='B') %}{{ a }}-{{ b }}{% endmacro %}{{ m('x') }}|{{ m(1, b=2) }}",
  "{%- for x in lst -%} {{ x }} {%- endfor -%}", "{% for x in lst %}{{ loop.index0 }}{{ loop.first }}{{ loop.length }}{% endfor %}",
  "{% for x in lst %}{{ loop.revindex }}{{ loop.cycle('a', 'b') }}{% endfor %}", "{% for x in lst if x > 1 %}{{ x }}{% endfor %}",
  "{% filter upper %}shout{% endfilter %}", "{% set block_var %}inner {{ n }}{% endset %}{{ block_var }}",
  "{% raw %}{{ not rendered }}{% endraw %}", "{# comment #}after", "{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }}{% endfor %}",
  "{% for u in users | selectattr('active') %}{{ u.name }} {% endfor %}", "{% for x in lst | sort %}{{ x }}{% endfor %}",
  "{% for k in hostsdict | sort %}{{ k }}{% endfor %}", "{% for k in d %}{{ k }}{% endfor %}", "{% for c in 'abc' %}{{ c }}.{% endfor %}",
  "{% for x in range(3) %}{% for y in range(2) %}{{ x }}{{ y }} {% endfor %}{% endfor %}", "{% for x in lst %}{{ loop.previtem | default('-') }}{% endfor %}",
  "{% macro outer() %}[{{ caller() }}]{% endmacro %}{% call outer() %}inside{% endcall %}", "{% if 'a' in words %}has a{% endif %}",
  "{% set x, y = 1, 2 %}{{ x + y }}", "{{ '%-10s|' | format('left') }}", "{% for u in users %}{{ '%-6s %5d' | format(u.name, u.uid) }}\n{% endfor %}",
  "{% for h, a in hostsdict.items() %}{{ h }} {{ a }}\n{% endfor %}", "a\n{% if t %}\nyes\n{% endif %}\nb",
  "{% for grp in servers | groupby('port') %}{{ grp.grouper }}={{ grp.list | map(attribute='host') | join('+') }};{% endfor %}",
  "{% for tag, items in users | groupby('shell') %}{{ tag }}:{{ items | length }} {% endfor %}", "{% set a, b = users[0].groups %}{{ b }}-{{ a }}",
  "{% set h, p = 'web1', 80 %}{{ h }}:{{ p }}", "{% for k, v in d | dictsort %}{{ k }}{{ v }}{% endfor %}", "{% set one = 1, %}{{ one }}",
  "  {% if t %}x{% endif %}\n", "{% for x in lst %}\n{{ x }}\n{% endfor %}\n", "{{ n }}\n\n", "{% for x in [] %}{% endfor %}empty",
];

// Floats and numbers as Python prints them, str.format, loop variables, indexes by dot.
const pythonNumbers = [
  '2.675 | round(2)', '0.125 | round(2)', '1.005 | round(2)', '-2.5 | round', '3 | round', '7 | round(1)', '2.5 | round(0, "floor")',
  '0.1 + 0.2', '1 / 3', '2 ** -1', '2 ** 0.5', '0.00001', '0.0001', '123456789.0 * 1000', '1e16', '1.5e-7', '-1e3', '1e3 | int',
  '3.0 == 3', '[1.0, 2] | max', '[1.5, 2.5] | sum', '[1, 2] | sum(start=0.5)', '(n / 7) | string', '(8 / 2) | int', "'%s|%r|%d' % (4.0, 2.0, 4.0)",
  "{'a': 1.0, 'b': 0.5} | to_json", "{'a': 1.0} | to_nice_yaml", '[0.0, -0.0] | map("string") | list', '-(2.0)', '+f', 'f // 1', '-7 // 2.0', '10 % -3.0',
  '1.0 is integer', '1 is float', '1.0 is number', 'true is number', "'1.5' | float", "'x' | float", "' 2e3 ' | float", '(2 | float) ~ ""', 'n | abs', '-2.5 | abs',
  "'{}-{}'.format(1.0, t)", "'{:.3f}'.format(f)", "'{:>8}|{:<8}|{:^8}'.format('a', 'b', 'c')", "'{:08.2f}'.format(-f)", "'{:,}'.format(sizes[2])", "'{:x}'.format(255)",
  "'{0}{1}{0}'.format('a', 'b')", "'{u[name]}'.format(u=users[0])", "'{!r}'.format(s)", "'{:+d}'.format(n)", "'{:e}'.format(f)", "'{:%}'.format(0.5)",
  'matrix.0', 'matrix.1.1', 'matrix.1.1.0', 'users.0.name', 'servers.2.tags.1', '(1,)', '()', '(1, 2,)', '[1, 2, ]', "{'a': 1, }",
  'whole', 'whole * 2', 'whole | int', 'whole is float', '[whole, n]', 'sexa', "{'w': whole} | to_json", 't ~ fl', "'x' ~ none", "[t, none] | join(',')", "'%s' % t", "t | string", "{'k': t} | string",
];

// String literals with escapes: Jinja decodes them as Python's unicode-escape does (an unknown one keeps its backslash).
const stringEscapes = [
  "'a  b' | regex_replace('\\s+', '_')", "'10.0.0.5' | regex_replace('\\.\\d+$', '.0')", "'a.b.c' | regex_search('\\w+\\.\\w+')",
  "'a\\x41b'", "'\\u00e9t\\u00e9'", "'\\101\\0'  | length", "'a\\qb'", "'a\\\\b'", "'it\\'s'", "\"say \\\"hi\\\"\"", "'tab\\there' | length",
  "'x\\ty' is search('\\t')", "'\\d' | length", "'a\\\\nb' | length", "'\\a\\b\\f\\v' | length", "'p\\[1\\]' | length", "'C:\\new\\dir'",
];

// Undefined values: a missing attribute, key or index is Jinja's undefined as Ansible has it
// (defined false, default applies, anything else fails), never an empty string.
const undefinedValues = [
  'd.missing', 'lst[5]', 'lst[-9]', "'abc'[10]", 'nested.x.q.r', "d['missing']", "d['missing']['x']", 'users[7].name', 's.missing', 'n.missing',
  "d.missing | default('z')", "d.missing | d('z')", "d.missing | default('z', true)", "nested.x.q.r | default('deep')", "lst[7] | default('none')",
  "users[0].missing | default('-')", "(d.missing | default({})).x | default('y')", "none.x | default(2)", 'none.x is defined',
  'd.missing is defined', 'd.missing is undefined', 'nested.x.q.r is defined', 'lst[5] is defined', 'lst[2] is defined', "users[0].shell is defined",
  "d.missing == 'x'", "d.missing != 'x'", 'd.missing > 1', 'd.missing | upper', 'd.missing | length', "d.missing ~ 'a'", 'd.missing + 1', "'a' in d.missing",
  "d.missing or 'x'", 'd.missing and 1', 'not d.missing', "d.missing if d.missing is defined else 'n'", "'y' if d.missing is defined and d.missing else 'n'",
  'd.missing is none', 'd.missing is string', 'd.missing is mapping', 'd.missing is number', 'd.missing | mandatory', 'd.missing | string',
  'd.missing | list', 'd.missing | int', 'd.missing | bool', 'd.missing | to_json', 'd.missing | join(",")', 'd.missing.split()', "d.missing | replace('a', 'b')",
  "users | map(attribute='missing') | list", "users | map(attribute='missing', default='-') | list", "users | selectattr('missing', 'defined') | list | length",
  "users | selectattr('shell', 'defined') | list | length", "users | rejectattr('missing', 'undefined') | list | length", "d.get('missing') is defined",
  "[d.missing] | length", "lst | first is defined", "'%s' % d.missing", "'{}'.format(d.missing)", "d.missing | default(lst) | length",
  "ansible_version.major", "ansible_version.minor", "ansible_version.full is version('2.9', '>=')", "ansible_version.full is version('2.15', '<')",
  "[{'a': none}] | map(attribute='a', default=1) | list", "users | map(attribute='missing') | select('defined') | list",
  "lazy_missing | default('lz')", 'lazy_missing is defined', 'lazy_missing', "lazy_ok | default('lz')",
  // Empty sequences, None and methods: Ansible fails or gives None where JavaScript gave ''.
  '[] | first', '[] | last', '[] | random', '[] | first is defined', "[] | first | default('x')", 'd | first', 'd | last', "lst | select('gt', 9) | first",
  "'abc' | regex_search('x') is none", "'abc' | regex_search('x') is defined", "'abc' | regex_search('x')", 'none | list', "none | join(',')", 'none | length',
  'none | unique | list', 'n | length', 't | length', "none | map('string') | list", 'd.items', "hostvars['nohost'] is defined", "hostvars['nohost'].x | default('hd')",
  "groups['nogroup']", "groups['nogroup'] | default([]) | length", "d.get('missing')", "d.get('missing') is none",
];

const undefinedFragments = [
  '{% for x in d.missing %}{{ x }}{% endfor %}', '{% if d.missing %}y{% endif %}', '{% if d.missing is defined %}y{% else %}n{% endif %}',
  "{% for x in lst %}{{ loop.previtem | default('-') }}{% endfor %}", '{% for x in lst %}{{ loop.previtem }}{% endfor %}',
  '{% for x in lst %}{{ loop.nextitem is defined }}{% endfor %}', '{% set y = d.missing %}{{ y is defined }}', '{% set y = d.missing %}{{ y }}',
  "{% for u in users %}{{ u.shell2 | default('none') }} {% endfor %}", "{% macro m(a) %}{{ a.missing | default('q') }}{% endmacro %}{{ m(d) }}",
  '{% for u in users %}{{ u.missing }}{% endfor %}', "{% for u in users if u.missing is defined %}{{ u.name }}{% endfor %}none",
  '{% if users[0].missing is defined and users[0].missing %}a{% else %}b{% endif %}', '{{ d.missing }} text after', 'text {{ lst[9] }}',
  '{% set ns = namespace(v=d.missing | default(0)) %}{{ ns.v }}', '{% for k in d.missing | default({}) %}{{ k }}{% endfor %}done',
];

function dedupe(xs: string[]): string[] {
  return [...new Set(xs.filter((x) => x !== ''))];
}

/** Bare expressions (rendered as `{{ expr }}`). */
export const EXPRESSIONS = dedupe([...pythonNumbers, ...literals, ...variables, ...arithmetic, ...comparisons, ...indexing, ...methods, ...jinjaFilters, ...ansibleFilters, ...tests, ...stringEscapes]);

/** Small template fragments with statements (rendered as they are). */
export const FRAGMENTS = dedupe(structures);

/** Expressions and fragments with undefined values (each run as a task of its own). */
export const UNDEFINED_EXPRESSIONS = dedupe(undefinedValues);
export const UNDEFINED_FRAGMENTS = dedupe(undefinedFragments);
