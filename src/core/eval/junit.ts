/** JUnit XML for CI systems: one test case per golden item, its failed assertions as the failure. */
import type { GoldenReport } from './goldenScore';

/** Text as XML character data / attribute value: escaped, and characters XML 1.0 forbids replaced. */
export function xmlText(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function goldenJunit(report: GoldenReport, suiteName: string, gateReasons: readonly string[]): string {
  const failures = report.total - report.passed;
  const cases = report.items.map((item) => {
    const name = `<testcase classname="${xmlText(suiteName)}" name="${xmlText(item.id)}"`;
    if (item.passed) return `    ${name}/>`;
    const message = item.failures.map((f) => `${f.type}: ${f.message}`).join('\n');
    return `    ${name}>\n      <failure type="${xmlText(item.failures[0]!.type)}" message="${xmlText(item.failures[0]!.message)}">${xmlText(message)}</failure>\n    </testcase>`;
  });
  const props = gateReasons.length ? `    <system-out>${xmlText(`gate failed: ${gateReasons.join('; ')}`)}</system-out>\n` : '';
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="ftstudio score" tests="${report.total}" failures="${failures}" errors="0">`,
    `  <testsuite name="${xmlText(suiteName)}" tests="${report.total}" failures="${failures}" errors="0" skipped="0">`,
    ...cases,
    props + '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
