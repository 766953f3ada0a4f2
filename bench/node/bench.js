// The Node.js driver client of motor's side-by-side benchmark (bench/, issue 12).
//
// Run by `go run ./bench` with node and the mongodb package locked in package-lock.json (npm ci), one process per
// workload; prints one JSON line with the fields of the Go harness's result (bench/measure.go). The workloads and
// their database names are bench/workloads.go's. The driver has no dereference: a reference is resolved with
// findOne by _id, many with one find with $in; list_collection_names is listCollections with nameOnly.
'use strict';

const fs = require('fs');
const path = require('path');
const { MongoClient, BSON } = require('mongodb');

const DB = { ping: 'bench', list: 'bench_list', ref: 'bench_ref', spec: 'bench_spec', write: 'bench_w' };
const LIST_COLLECTIONS = 50;
const PIPELINE = [
  { $match: { g: { $lt: 5 } } },
  { $group: { _id: '$g', n: { $sum: 1 } } },
  { $sort: { _id: 1 } },
];

function parseArgs(argv) {
  const a = { conc: 1, 'max-ops': 1 << 20, corpus: 10000, refs: 1000, 'bulk-small': 1000, 'bulk-large': 10 };
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--?/, '');
    a[k] = typeof a[k] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
  }
  return a;
}

// goDuration returns the seconds in a Go duration string such as 500ms or 2s.
function goDuration(s) {
  const units = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  for (const m of String(s).matchAll(/([0-9.]+)(ns|us|µs|ms|s|m|h)/g)) total += Number(m[1]) * units[m[2]];
  return total;
}

function nearestRank(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.max(Math.ceil((sorted.length * p) / 100) - 1, 0)];
}

async function runLoop(op, conc, seconds, maxOps, lat) {
  let next = 0;
  const deadline = performance.now() + seconds * 1000;
  async function worker() {
    for (;;) {
      const i = next++;
      if (i >= maxOps || (i > 0 && performance.now() > deadline)) return;
      const t = process.hrtime.bigint();
      await op(i);
      if (lat) lat.push(Number(process.hrtime.bigint() - t));
    }
  }
  await Promise.all(Array.from({ length: conc }, worker));
}

function load(data, name) {
  return BSON.EJSON.parse(fs.readFileSync(path.join(data, name), 'utf8'), { relaxed: false });
}

function check(ok, what) {
  if (!ok) throw new Error(what);
}

async function makeOp(a, client) {
  const w = a.workload.split('+')[0];
  const ids = Array.from({ length: a.refs }, (_, i) => i);
  const writeColl = async () => {
    const coll = client.db(DB.write).collection(`${w}_${a.tag}`);
    await coll.drop().catch(() => {});
    return coll;
  };
  switch (w) {
    case 'ping':
    case 'ping_64': {
      const db = client.db(DB.ping);
      return () => db.command({ ping: 1 });
    }
    case 'list_collection_names': {
      const db = client.db(DB.list);
      return async () => {
        const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
        check(names.length === LIST_COLLECTIONS, `${names.length} names`);
      };
    }
    case 'create_drop': {
      const db = client.db(DB.write);
      const name = `${w}_${a.tag}`;
      await db.dropCollection(name).catch(() => {});
      return async () => {
        await db.createCollection(name);
        await db.dropCollection(name);
      };
    }
    case 'dereference': {
      const coll = client.db(DB.ref).collection('refs');
      return async (i) => check((await coll.findOne({ _id: ids[i % ids.length] })) !== null, 'missing');
    }
    case 'deref_single': {
      const coll = client.db(DB.ref).collection('refs');
      return async () => {
        for (const id of ids) check((await coll.findOne({ _id: id })) !== null, 'missing');
      };
    }
    case 'deref_many': {
      const coll = client.db(DB.ref).collection('refs');
      return async () => check((await coll.find({ _id: { $in: ids } }).toArray()).length === ids.length, 'missing');
    }
    case 'insert_one': {
      const coll = await writeColl();
      return (i) => coll.insertOne({ i });
    }
    case 'aggregate': {
      const coll = client.db(DB.ref).collection('agg');
      return async () => check((await coll.aggregate(PIPELINE).toArray()).length === 5, 'groups');
    }
    case 'find_one_by_id': {
      const coll = client.db(DB.spec).collection('corpus');
      return async (i) => check((await coll.findOne({ _id: (i % a.corpus) + 1 })) !== null, 'missing');
    }
    case 'find_many': {
      const coll = client.db(DB.spec).collection('corpus');
      return async () => check((await coll.find({}).toArray()).length === a.corpus, 'count');
    }
    case 'small_insert_one':
    case 'large_insert_one': {
      const doc = load(a.data, w === 'small_insert_one' ? 'small_doc.json' : 'large_doc.json');
      const coll = await writeColl();
      // insertOne adds _id to the object it is given, so each insert gets a shallow copy.
      return () => coll.insertOne({ ...doc });
    }
    case 'small_bulk_insert':
    case 'large_bulk_insert': {
      const small = w === 'small_bulk_insert';
      const doc = load(a.data, small ? 'small_doc.json' : 'large_doc.json');
      const n = small ? a['bulk-small'] : a['bulk-large'];
      const coll = await writeColl();
      return () => coll.insertMany(Array.from({ length: n }, () => ({ ...doc })));
    }
  }
  throw new Error(`unknown workload ${a.workload}`);
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  const client = new MongoClient(a.uri);
  let res;
  try {
    const op = await makeOp(a, client);
    if (goDuration(a.warmup) > 0) await runLoop(op, a.conc, goDuration(a.warmup), a['max-ops'], null);
    const lat = [];
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await runLoop(op, a.conc, goDuration(a.duration), a['max-ops'], lat);
    const elapsed = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    lat.sort((x, y) => x - y);
    res = {
      ops: lat.length, seconds: elapsed, cpu: (cpu.user + cpu.system) / 1e6,
      p50_us: nearestRank(lat, 50) / 1000, p99_us: nearestRank(lat, 99) / 1000, mallocs: -1,
    };
  } finally {
    await client.close();
  }
  return res;
}

main().then(
  (res) => console.log(JSON.stringify(res)),
  (err) => {
    console.log(JSON.stringify({ error: String(err && err.stack ? err.message : err) }));
    process.exit(1);
  },
);
