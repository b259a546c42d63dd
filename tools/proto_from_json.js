// Renders the Milvus wire interface (the protobufjs JSON descriptor that ships inside the
// official Node SDK) as .proto declarations: packages, messages, fields, enums and the service,
// with their names and numbers. Options that do not affect the wire (custom extensions,
// language options) are dropped. Usage: node tools/proto_from_json.js <proto-json/milvus.js> <outdir>
'use strict';
const fs = require('fs');
const path = require('path');

const root = require(path.resolve(process.argv[2])).default;
const outDir = process.argv[3];
const base = root.nested.milvus.nested.proto.nested;
const files = {};  // package short name -> {lines, imports}

// Index of every fully qualified type name.
const known = new Set();
function index(node, prefix) {
  for (const [name, v] of Object.entries(node.nested || {})) {
    const full = prefix + '.' + name;
    if (v.fields || v.values) known.add(full);
    index(v, full);
  }
}
index(root, '');

function resolve(type, scope) {
  if (type.startsWith('.')) return type;
  const parts = scope.split('.');
  for (let i = parts.length; i >= 0; --i) {
    const cand = parts.slice(0, i).join('.') + '.' + type;
    if (known.has(cand)) return cand;
  }
  return null;  // scalar
}

function pkgOf(full) { return full.split('.').slice(0, 3).join('.'); }

function emitEnum(name, e, ind, out) {
  out.push(`${ind}enum ${name} {`);
  const vals = Object.entries(e.values);
  if (vals.length && new Set(vals.map(v => v[1])).size !== vals.length) out.push(`${ind}  option allow_alias = true;`);
  for (const [k, v] of vals) {
    const dep = e.valuesOptions && e.valuesOptions[k] && e.valuesOptions[k].deprecated ? ' [deprecated = true]' : '';
    out.push(`${ind}  ${k} = ${v}${dep};`);
  }
  if (e.reserved) out.push(...reserved(e.reserved, ind + '  '));
  out.push(`${ind}}`);
}

function reserved(r, ind) {
  const nums = r.filter(x => Array.isArray(x)).map(x => x[0] === x[1] ? `${x[0]}` : `${x[0]} to ${x[1]}`);
  const names = r.filter(x => typeof x === 'string').map(x => `"${x}"`);
  const out = [];
  if (nums.length) out.push(`${ind}reserved ${nums.join(', ')};`);
  if (names.length) out.push(`${ind}reserved ${names.join(', ')};`);
  return out;
}

function fieldType(f, scope, file) {
  const ref = resolve(f.type, scope);
  if (!ref) return f.type;
  const p = pkgOf(ref.slice(1));
  if (p !== file.pkg) file.imports.add(p.split('.').pop());
  return ref;
}

function emitMessage(name, m, scope, ind, out, file) {
  out.push(`${ind}message ${name} {`);
  const full = scope + '.' + name;
  const oneofOf = {};
  const realOneofs = [];
  for (const [oname, o] of Object.entries(m.oneofs || {})) {
    const synthetic = o.oneof.length === 1 && m.fields[o.oneof[0]] && m.fields[o.oneof[0]].options &&
      m.fields[o.oneof[0]].options.proto3_optional;
    if (synthetic) continue;
    realOneofs.push(oname);
    for (const f of o.oneof) oneofOf[f] = oname;
  }
  const line = (fname, f, i) => {
    const opts = [];
    if (f.options && f.options.deprecated) opts.push('deprecated = true');
    if (f.options && f.options.packed === false) opts.push('packed = false');
    const o = opts.length ? ` [${opts.join(', ')}]` : '';
    if (f.keyType) return `${i}map<${f.keyType}, ${fieldType(f, full, file)}> ${fname} = ${f.id}${o};`;
    let label = '';
    if (f.rule === 'repeated') label = 'repeated ';
    else if (f.options && f.options.proto3_optional) label = 'optional ';
    return `${i}${label}${fieldType(f, full, file)} ${fname} = ${f.id}${o};`;
  };
  const done = new Set();
  for (const [fname, f] of Object.entries(m.fields)) {
    if (done.has(fname)) continue;
    const on = oneofOf[fname];
    if (on) {
      out.push(`${ind}  oneof ${on} {`);
      for (const g of m.oneofs[on].oneof) { out.push(line(g, m.fields[g], ind + '    ')); done.add(g); }
      out.push(`${ind}  }`);
    } else {
      out.push(line(fname, f, ind + '  '));
      done.add(fname);
    }
  }
  if (m.reserved) out.push(...reserved(m.reserved, ind + '  '));
  for (const [n, v] of Object.entries(m.nested || {})) {
    if (v.fields) emitMessage(n, v, full, ind + '  ', out, file);
    else if (v.values) emitEnum(n, v, ind + '  ', out);
  }
  out.push(`${ind}}`);
}

for (const [short, pkgNode] of Object.entries(base)) {
  const pkg = 'milvus.proto.' + short;
  const file = { pkg, imports: new Set(), body: [] };
  const scope = '.' + pkg;
  for (const [n, v] of Object.entries(pkgNode.nested || {})) {
    if (v.methods) {
      file.body.push(`service ${n} {`);
      for (const [mn, md] of Object.entries(v.methods)) {
        const req = fieldType({ type: md.requestType }, scope, file);
        const resp = fieldType({ type: md.responseType }, scope, file);
        const rs = md.requestStream ? 'stream ' : '';
        const ss = md.responseStream ? 'stream ' : '';
        file.body.push(`  rpc ${mn}(${rs}${req}) returns (${ss}${resp});`);
      }
      file.body.push('}');
    } else if (v.fields) {
      emitMessage(n, v, scope, '', file.body, file);
    } else if (v.values) {
      emitEnum(n, v, '', file.body);
    } else {
      continue;  // extension holders (custom options) carry nothing on the wire
    }
    file.body.push('');
  }
  if (!file.body.length) continue;
  files[short] = file;
}

fs.mkdirSync(outDir, { recursive: true });
for (const [short, f] of Object.entries(files)) {
  const head = [
    '// Quiver: the Milvus 2.6 wire interface, package ' + f.pkg + '.',
    '// Names and numbers are the interface facts clients depend on; do not renumber.',
    'syntax = "proto3";',
    '',
    `package ${f.pkg};`,
    '',
  ];
  for (const imp of [...f.imports].sort()) head.push(`import "${imp}.proto";`);
  if (f.imports.size) head.push('');
  fs.writeFileSync(path.join(outDir, short + '.proto'), head.concat(f.body).join('\n'));
  console.log(short, f.body.length, 'lines, imports', [...f.imports].join(','));
}
