// The address classifier on its own: every textual form of every refused range, and the public neighbours
// that must stay allowed (a classifier that refuses everything would pass the first table alone).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { classifyAddress, isLoopbackName, isPublicAddress } from '../../src/media/public-address.js'

// [address, the refused range it must be reported under (a substring of the reason)]
const REFUSED: ReadonlyArray<readonly [string, string]> = [
  // IPv4, the first and last address of each block
  ['0.0.0.0', '0/8'], ['0.255.255.255', '0/8'],
  ['10.0.0.0', '10/8'], ['10.255.255.255', '10/8'],
  ['100.64.0.0', '100.64/10'], ['100.127.255.255', '100.64/10'],
  ['127.0.0.1', '127/8'], ['127.255.255.254', '127/8'],
  ['169.254.0.1', '169.254/16'], ['169.254.169.254', '169.254/16'],
  ['172.16.0.0', '172.16/12'], ['172.31.255.255', '172.16/12'],
  ['192.0.0.8', '192.0.0/24'], ['192.0.2.1', '192.0.2/24'], ['192.88.99.1', '192.88.99/24'],
  ['192.168.0.1', '192.168/16'], ['192.168.255.255', '192.168/16'],
  ['198.18.0.0', '198.18/15'], ['198.19.255.255', '198.18/15'],
  ['198.51.100.7', '198.51.100/24'], ['203.0.113.9', '203.0.113/24'],
  ['224.0.0.1', '224/4'], ['239.255.255.255', '224/4'],
  ['240.0.0.1', '240/4'], ['255.255.255.255', '240/4'],
  // IPv6 unspecified, loopback, in every spelling
  ['::', 'outside 2000::/3'], ['::1', 'outside 2000::/3'], ['0:0:0:0:0:0:0:1', 'outside 2000::/3'], ['0000:0000:0000:0000:0000:0000:0000:0001', 'outside 2000::/3'], ['[::1]', 'outside 2000::/3'],
  // IPv4-mapped, dotted and hex, upper and lower case
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback'], ['::ffff:7f00:1', 'IPv4-mapped loopback'], ['::FFFF:7F00:0001', 'IPv4-mapped loopback'],
  ['0:0:0:0:0:ffff:7f00:1', 'IPv4-mapped loopback'], ['[::ffff:7f00:1]', 'IPv4-mapped loopback'],
  ['::ffff:10.1.2.3', 'IPv4-mapped private'], ['::ffff:a9fe:a9fe', 'IPv4-mapped link-local'], ['::ffff:0.0.0.0', 'IPv4-mapped this network'],
  ['::ffff:c0a8:101', 'IPv4-mapped private (192.168/16)'],
  // IPv4-compatible (deprecated), whatever it embeds
  ['::127.0.0.1', 'outside 2000::/3'], ['::7f00:1', 'outside 2000::/3'], ['::8.8.8.8', 'outside 2000::/3'],
  // IPv4-translated (SIIT)
  ['::ffff:0:7f00:1', 'outside 2000::/3'],
  // NAT64: well-known prefix judged by what it embeds, local-use prefix refused whole
  ['64:ff9b::7f00:1', 'NAT64 loopback'], ['64:ff9b::127.0.0.1', 'NAT64 loopback'], ['64:ff9b::a00:1', 'NAT64 private'], ['64:ff9b::a9fe:a9fe', 'NAT64 link-local'],
  ['64:ff9b:1::7f00:1', 'outside 2000::/3'], ['64:ff9b:1::808:808', 'outside 2000::/3'],
  // 6to4, judged by the IPv4 address in bytes 2-5
  ['2002:7f00:1::', '6to4 loopback'], ['2002:7f00:0001::1', '6to4 loopback'], ['2002:a00:1::', '6to4 private'], ['2002:c0a8:101::1', '6to4 private'], ['2002:a9fe:a9fe::', '6to4 link-local'],
  // unique-local, link-local, site-local, multicast, discard
  ['fc00::1', 'outside 2000::/3'], ['fd00::1', 'outside 2000::/3'], ['fdff:ffff::1', 'outside 2000::/3'],
  ['fe80::1', 'outside 2000::/3'], ['febf::1', 'outside 2000::/3'], ['fec0::1', 'outside 2000::/3'], ['feff::1', 'outside 2000::/3'],
  ['ff02::1', 'outside 2000::/3'], ['ff05::2', 'outside 2000::/3'], ['100::1', 'outside 2000::/3'],
  ['fe80::1%eth0', 'zone'], ['fe80::1%25eth0', 'zone'], ['2606:4700::1%1', 'zone'],
  // inside 2000::/3 but not public: Teredo and the other 2001::/23 assignments, documentation
  ['2001::1', '2001::/23'], ['2001:0:4136:e378:8000:63bf:3fff:fdd2', '2001::/23'], ['2001:2::1', '2001::/23'], ['2001:10::1', '2001::/23'],
  ['2001:db8::1', '2001:db8::/32'], ['2001:db8:ffff::1', '2001:db8::/32'], ['3fff::1', '3fff::/20'],
  // not an address at all: names, inet_aton shorthand (the caller must resolve or parse it first), junk
  ['localhost', 'not an IP'], ['example.com', 'not an IP'], ['2130706433', 'not an IP'], ['0x7f.1', 'not an IP'], ['127.1', 'not an IP'],
  ['0177.0.0.1', 'not an IP'], ['127.0.0.1.', 'not an IP'], ['', 'not an IP'], ['[]', 'not an IP'], [':::', 'not an IP'], ['1.2.3.256', 'not an IP'], ['::ffff:1.2.3', 'not an IP']
]

const PUBLIC: readonly string[] = [
  '1.1.1.1', '8.8.8.8', '93.184.216.34', '9.255.255.255', '11.0.0.0', '100.63.255.255', '100.128.0.0', '126.255.255.255', '128.0.0.0',
  '169.253.255.255', '169.255.0.0', '172.15.255.255', '172.32.0.0', '192.0.1.1', '192.0.3.1', '192.167.255.255', '192.169.0.0',
  '198.17.255.255', '198.20.0.0', '198.51.99.1', '203.0.112.1', '223.255.255.255',
  '2606:4700:4700::1111', '2a00:1450:4001:82b::200e', '2001:4860:4860::8888', '2001:200::1', '2c0f:fb50::1', '3ffe::1',
  '::ffff:8.8.8.8', '::ffff:808:808', '[::ffff:5db8:d822]', '64:ff9b::8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'
]

test('every form of a loopback, private, link-local, unique-local or reserved address is refused, under its own range', () => {
  for (const [address, range] of REFUSED) {
    const v = classifyAddress(address)
    assert.equal(v.public, false, `${address} must not be public`)
    assert.ok(!v.public && v.reason.includes(range), `${address}: reason "${!v.public ? v.reason : ''}" should name ${range}`)
    assert.equal(isPublicAddress(address), false, address)
  }
})

test('public IPv4 and global unicast IPv6 next to every refused range stay allowed, also when embedded', () => {
  for (const address of PUBLIC) assert.deepEqual(classifyAddress(address), { public: true }, address)
})

test('no input makes the classifier throw', () => {
  const odd = ['\u0000', '%', '[', ']', '::ffff:', '1.2.3.4/8', ' 1.2.3.4', 'a'.repeat(10_000), '1'.repeat(400), '::%', '💥']
  for (const s of odd) assert.equal(isPublicAddress(s), false, JSON.stringify(s))
})

test('localhost and every name under it are loopback names, in any case and with trailing dots; look-alikes are not', () => {
  for (const name of ['localhost', 'LocalHost', 'localhost.', 'localhost..', 'a.localhost', 'x.y.LOCALHOST.']) assert.equal(isLoopbackName(name), true, name)
  for (const name of ['localhost.example', 'notlocalhost', 'localhostx', 'example.com', '']) assert.equal(isLoopbackName(name), false, name)
})
