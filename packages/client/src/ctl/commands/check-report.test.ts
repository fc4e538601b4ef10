import { loadStats, perfVerdict, residentMemoryBytes } from './check-report';

describe('check perf statistics (etcd pkg/report)', () => {
  test('rps is successful requests over the total time; stddev is the population deviation; slowest the max', () => {
    const s = loadStats({ latenciesS: [0.1, 0.3, 0.2, 0.2], errors: new Map(), totalS: 2 });
    expect(s.rps).toBe(2);
    expect(s.slowestS).toBeCloseTo(0.3, 12);
    expect(s.stddevS).toBeCloseTo(Math.sqrt(0.02 / 4), 12);
  });

  test('failed requests do not count towards throughput', () => {
    const s = loadStats({ latenciesS: [0.01], errors: new Map([['boom', 9]]), totalS: 1 });
    expect(s.rps).toBe(1);
  });
});

describe('check perf verdict (etcdctl thresholds and lines)', () => {
  test('all within limits: PASS lines with the measured figures, throughput printed as int(rps)+1', () => {
    const v = perfVerdict({ rps: 149.2, slowestS: 0.0123456, stddevS: 0.002, errors: new Map() }, 150);
    expect(v).toEqual({
      ok: true,
      lines: ['PASS: Throughput is 150 writes/s', 'PASS: Slowest request took 0.012346s', 'PASS: Stddev is 0.002000s', 'PASS'],
    });
  });

  test('exactly 90% of the target rate fails (etcdctl needs more than 90%)', () => {
    const v = perfVerdict({ rps: 135, slowestS: 0.01, stddevS: 0.01, errors: new Map() }, 150);
    expect(v.ok).toBe(false);
    expect(v.lines[0]).toBe('FAIL: Throughput too low: 136 writes/s');
    expect(v.lines.at(-1)).toBe('FAIL');
  });

  test('slow and jittery requests and errors each fail with their own line', () => {
    const v = perfVerdict({ rps: 150, slowestS: 0.51, stddevS: 0.11, errors: new Map([['etcdserver: too many requests', 3]]) }, 150);
    expect(v).toEqual({
      ok: false,
      lines: [
        'FAIL: too many errors',
        'FAIL: ERROR(etcdserver: too many requests) -> 3',
        'PASS: Throughput is 151 writes/s',
        'Slowest request took too long: 0.510000s',
        'Stddev too high: 0.110000s',
        'FAIL',
      ],
    });
  });

  test('the limits themselves pass (0.5 s slowest, 0.1 s stddev)', () => {
    expect(perfVerdict({ rps: 1000, slowestS: 0.5, stddevS: 0.1, errors: new Map() }, 150).ok).toBe(true);
  });
});

describe('process_resident_memory_bytes from /metrics', () => {
  test('the first line starting with the name gives the value', () => {
    const page = '# HELP process_resident_memory_bytes Resident memory size in bytes.\n# TYPE x gauge\nprocess_resident_memory_bytes 1.2345e+07\nprocess_virtual_memory_bytes 9\n';
    // the HELP line starts with '#': the sample line is the first one starting with the name
    expect(residentMemoryBytes(page)).toBe(12_345_000);
  });

  test('missing or unparsable values give etcdctl wording', () => {
    expect(residentMemoryBytes('go_goroutines 3\n')).toBe('could not find: process_resident_memory_bytes');
    expect(residentMemoryBytes('process_resident_memory_bytes abc\n')).toBe('parse error: strconv.ParseFloat: parsing "abc": invalid syntax');
  });
});
