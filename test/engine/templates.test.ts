// Jinja2 through nunjucks with Ansible's filters, native types for a lone
// expression, and undefined variables reported with their line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateExpression, renderText, renderValue, TemplateError } from '../../src/template/render.js';
import { VarScope } from '../../src/engine/variables.js';

const vars = {
  net: '192.168.0.0/24',
  nodes: [{ name: 'node-000', mac: 'fc:ab:14:e8:66:01' }, { name: 'node-001' }],
  words: ['b', 'a', 'b'],
  path: '/srv/tftpboot/undionly.kpxe',
  d1: { a: 1, nested: { x: 1 } },
};

const cases: Array<[string, unknown]> = [
  ['{{ words }}', ['b', 'a', 'b']],
  ['{{ words | unique | sort | join(",") }}', 'a,b'],
  ["{{ nodes | selectattr('mac', 'defined') | map(attribute='name') | list }}", ['node-000']],
  ["{{ nodes | rejectattr('mac', 'defined') | map(attribute='name') | first }}", 'node-001'],
  ['{{ net | ipaddr("network") }}/{{ net | ipaddr("netmask") }}', '192.168.0.0/255.255.255.0'],
  ['{{ net | ipaddr(1) | ipaddr("address") }}', '192.168.0.1'],
  ['{{ path | basename }} {{ path | dirname }}', 'undionly.kpxe /srv/tftpboot'],
  ["{{ 'a b' | quote }}", "'a b'"],
  ["{{ 'abc' | b64encode }}", 'YWJj'],
  ["{{ d1 | combine({'b': 2, 'nested': {'y': 2}}, recursive=True) | to_json }}", '{"a": 1, "nested": {"x": 1, "y": 2}, "b": 2}'],
  ["{{ 'node-7' | regex_replace('^node-(\\\\d+)$', 'n\\\\1') }}", 'n7'],
  ["{{ missing | default('fallback') }}", 'fallback'],
  ["{{ 'yes' | bool }}", true],
  // PyYAML's layout, as Ansible writes it: a list under a key is not indented.
  ['{{ {"k": [1, 2]} | to_nice_yaml }}', 'k:\n- 1\n- 2\n'],
  // `+` as in Jinja: lists concatenate (not JavaScript's "b,a,bx"), numbers add, strings join.
  ["{{ words + ['x'] }}", ['b', 'a', 'b', 'x']],
  // A lone expression gives the number's text, as ansible-core 2.14 does (set_fact x: "{{ l | length }}" is '6').
  ['{{ (words + words) | length }}', '6'],
  ['{{ 1 + 2 }} {{ "a" + "b" }}', '3 ab'],
];

for (const [tpl, expected] of cases) {
  test(`renders ${tpl}`, () => {
    assert.deepEqual(renderValue(tpl, vars, 'case'), expected);
  });
}

test('a list plus a string is an error, as in Jinja, not a string', () => {
  assert.throws(() => renderValue("{{ words + 'x' }}", vars, 'case'), /can only concatenate list \(not "str"\) to list/);
});

test('conditions evaluate like Ansible when clauses', () => {
  assert.equal(evaluateExpression("nodes | length == 2 and 'a' in words", vars, 'w'), true);
  assert.equal(evaluateExpression('undefined_thing is not defined', vars, 'w'), true);
});

test('an undefined variable names itself, the template and the line', () => {
  assert.throws(() => renderText('line one\n{{ nodes | length }} {{ nope }}\n', vars, 'dhcpd.conf.j2'), (e: unknown) => {
    assert.ok(e instanceof TemplateError);
    assert.equal(e.message, "undefined variable 'nope'");
    assert.equal(e.source, 'dhcpd.conf.j2');
    assert.equal(e.line, 2);
    return true;
  });
});

test('a text compiled once serves every name it is rendered under; its errors name the template at hand', () => {
  // The look-ahead, a variable and a task often render the same text under other names.
  const src = 'line one\n{{ nodes | length }} {{ path() }}\n';
  const failure = (name: string) => (e: unknown) => {
    assert.ok(e instanceof TemplateError);
    assert.equal(e.source, name);
    assert.equal(e.line, 2);
    assert.equal(e.message, "'path' is not callable");
    return true;
  };
  assert.throws(() => renderText(src, vars, "task 'A (first)'"), failure("task 'A (first)'"));
  assert.throws(() => renderText(src, vars, 'look-ahead'), failure('look-ahead'));
  assert.throws(() => renderText(src, vars, "variable 'b' (x)"), failure("variable 'b' (x)"));
});

test('an undefined attribute further down a template names the construct that asked for it', () => {
  assert.throws(() => renderText('a\nb {{ d1.a }}\n{{ d1.nope.x }}\n', vars, 'T'), /'dict object' has no attribute 'nope' in \{\{ d1\.nope\.x \}\}$/);
  assert.throws(() => renderText("a\n{% if d1['nope'] %}y{% endif %}\n", vars, 'T'), /has no attribute 'nope' in \{% if d1\['nope'\] %\}$/);
});

test('variables are templated lazily and see the final value of what they reference', () => {
  const scope = new VarScope([{ root: '/srv', boot: '{{ root }}/boot', root2: '{{ boot }}/x' }, { root: '/var/lib' }]);
  assert.equal(scope.get('root2'), '/var/lib/boot/x');
  const loop = new VarScope([{ a: '{{ b }}', b: '{{ a }}' }]);
  assert.throws(() => loop.get('a'), /refers to itself/);
});

// No template reaches the JavaScript runtime, whoever wrote it.
const escapes = [
  '{{ range.constructor("return process")().exit(91) }}',
  "{{ ''.constructor.constructor('return process')() }}",
  "{{ d1['constructor'] }}",
  '{{ d1.__proto__ }}',
  "{{ (nodes | map(attribute='constructor') | first)('return process')() }}",
  '{{ joiner().constructor }}',
  '{{ cycler.__init__.__globals__ }}',
  '{{ range.prototype.constructor }}',
  "{{ lipsum.__globals__['os'] }}",
  '{{ d1.toString() }}',
  "{{ words.push('x') }}",
  '{{ path.constructor.fromCharCode(65) }}',
];
for (const tpl of escapes) {
  test(`refused: ${tpl}`, () => {
    assert.throws(() => renderText(tpl, { ...vars, lipsum: {} }, 'case'), /not allowed in a template|not callable|has no attribute/);
  });
}

test('Python methods and negative indexes are what a template can call', () => {
  assert.deepEqual(renderValue("{{ 'a,b'.split(',') }}", vars, 'case'), ['a', 'b']);
  assert.deepEqual(renderValue("{{ ' x y '.split() }}", vars, 'case'), ['x', 'y']);
  assert.equal(renderValue("{{ ' x '.strip() }}", vars, 'case'), 'x');
  assert.equal(renderValue("{{ path.startswith('/srv') }}", vars, 'case'), true);
  assert.deepEqual(renderValue('{{ d1.keys() | list }}', vars, 'case'), ['a', 'nested']);
  assert.equal(renderValue("{{ d1.get('zz', 5) }}", vars, 'case'), '5');
  assert.equal(renderValue('{{ words[-1] }}', vars, 'case'), 'b');
  assert.equal(renderText("{% set c = cycler('x', 'y') %}{{ c.next() }}{{ c.next() }}{{ c.next() }}", vars, 'case'), 'xyx');
  assert.equal(renderText("{% set j = joiner('-') %}{% for i in [1, 2] %}{{ j() }}{{ i }}{% endfor %}", vars, 'case'), '1-2');
});

test('a runaway template stops with a clear error in bounded time', () => {
  const runaway: Array<[string, RegExp]> = [
    ['{% for i in range(1000000000) %}x{% endfor %}', /more than 1000000 iterations/],
    ['{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}', /more than 1000000 iterations/],
    ['{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}', /recursion too deep/],
  ];
  for (const [tpl, msg] of runaway) {
    const start = Date.now();
    assert.throws(() => renderText(tpl, vars, 'case'), msg);
    assert.ok(Date.now() - start < 15_000, `${tpl} took ${Date.now() - start} ms`);
  }
});

test('host data in a variable layer is never rendered, at any depth', () => {
  const payload = '{{ range.constructor("return process")().exit(91) }}';
  const scope = new VarScope([{ mine: '{{ reg.stdout }}', list: '{{ reg.lines }}' }]).withData({ reg: { stdout: payload, lines: [payload, { deep: payload }] } });
  assert.equal(scope.get('mine'), payload);
  assert.deepEqual(scope.get('list'), [payload, { deep: payload }]);
  assert.equal(renderValue('{{ reg.lines[1].deep }}', scope.proxy, 'case'), payload);
});
