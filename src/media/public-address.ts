// Which IP addresses a server-side fetch may connect to: pure policy, no I/O. Every URL the server fetches on
// a caller's behalf (media_url today; webhooks and avatars later) asks this before a socket is opened, so
// that no caller can make the server reach its own loopback, the host's private networks, a cloud metadata
// endpoint or anything else that is not the public internet.
//
// IPv6 is judged by allowlist: only global unicast (2000::/3) can be public, so every reserved, local,
// multicast or future block outside it is refused without being named. Forms that carry an IPv4 address
// inside an IPv6 one are judged by the IPv4 address they reach (mapped, NAT64 well-known prefix, 6to4),
// or refused as a whole where the embedding is not fixed or nothing legitimate uses it. IPv4 is judged by
// denylist (the IANA special-purpose registry, every block that is not globally reachable).
import { isIP } from 'node:net'

/** A verdict on one address; `reason` names the refused range (for tests and logs, never for callers). */
export type AddressVerdict = { public: true } | { public: false; reason: string }

type Rule = readonly [bytes: readonly number[], prefixBits: number, reason: string]

// IPv4 blocks that are not globally reachable (RFC 6890 and its updates); 240/4 covers 255.255.255.255
const V4_DENY: readonly Rule[] = [
  [[0], 8, 'this network (0/8)'],
  [[10], 8, 'private (10/8)'],
  [[100, 64], 10, 'carrier-grade NAT (100.64/10)'],
  [[127], 8, 'loopback (127/8)'],
  [[169, 254], 16, 'link-local (169.254/16)'],
  [[172, 16], 12, 'private (172.16/12)'],
  [[192, 0, 0], 24, 'IETF protocol assignments (192.0.0/24)'],
  [[192, 0, 2], 24, 'documentation (192.0.2/24)'],
  [[192, 88, 99], 24, '6to4 relay anycast (192.88.99/24)'],
  [[192, 168], 16, 'private (192.168/16)'],
  [[198, 18], 15, 'benchmarking (198.18/15)'],
  [[198, 51, 100], 24, 'documentation (198.51.100/24)'],
  [[203, 0, 113], 24, 'documentation (203.0.113/24)'],
  [[224], 4, 'multicast (224/4)'],
  [[240], 4, 'reserved and broadcast (240/4)']
]

// Inside 2000::/3, the blocks that are not public. 2001::/23 holds Teredo (2001::/32, whose client address
// is obfuscated and whose relay could be anything), benchmarking, ORCHID and other protocol assignments.
const V6_DENY: readonly Rule[] = [
  [[0x20, 0x01, 0x00, 0x00], 23, 'IETF protocol assignments and Teredo (2001::/23)'],
  [[0x20, 0x01, 0x0d, 0xb8], 32, 'documentation (2001:db8::/32)'],
  [[0x3f, 0xff], 20, 'documentation (3fff::/20)']
]

const matches = (bytes: readonly number[], [net, bits]: Rule): boolean => {
  for (let i = 0; i * 8 < bits; i++) {
    const mask = bits - i * 8 >= 8 ? 0xff : (0xff << (8 - (bits - i * 8))) & 0xff
    if (((bytes[i] ?? 0) & mask) !== ((net[i] ?? 0) & mask)) return false
  }
  return true
}

const startsWith = (bytes: readonly number[], prefix: readonly number[]): boolean => prefix.every((b, i) => bytes[i] === b)

/** the 16 bytes of a valid IPv6 text (any compression, with or without a dotted IPv4 tail) */
function v6Bytes(text: string): number[] {
  let s = text
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s)
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number]
    s = `${s.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, tail] = s.split('::') as [string, string | undefined]
  const groups = (part: string | undefined): number[] => (part ? part.split(':').map((g) => parseInt(g, 16)) : [])
  const h = groups(head)
  const t = groups(tail)
  const all = tail === undefined ? h : [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t]
  return all.flatMap((g) => [g >> 8, g & 0xff])
}

function judgeV4(bytes: readonly number[], via = ''): AddressVerdict {
  const rule = V4_DENY.find((r) => matches(bytes, r))
  return rule ? { public: false, reason: `${via}${rule[2]}` } : { public: true }
}

function judgeV6(b: readonly number[]): AddressVerdict {
  const tail = b.slice(12)
  // ::ffff:0:0/96, IPv4-mapped: the socket reaches the embedded IPv4 address itself
  if (startsWith(b, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff])) return judgeV4(tail, 'IPv4-mapped ')
  // 64:ff9b::/96, the NAT64 well-known prefix: a DNS64 network synthesises it for every public IPv4 host
  if (startsWith(b, [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])) return judgeV4(tail, 'NAT64 ')
  // 2002::/16, 6to4: the relay tunnels to the IPv4 address in bytes 2-5
  if (startsWith(b, [0x20, 0x02])) return judgeV4(b.slice(2, 6), '6to4 ')
  // everything else outside global unicast: ::, ::1, ::/96 (IPv4-compatible), 64:ff9b:1::/48 (local-use
  // NAT64, its embedding length is the operator's choice), 100::/64, fc00::/7, fe80::/10, fec0::/10, ff00::/8
  if ((b[0]! & 0xe0) !== 0x20) return { public: false, reason: 'not global unicast (outside 2000::/3)' }
  const rule = V6_DENY.find((r) => matches(b, r))
  return rule ? { public: false, reason: rule[2] } : { public: true }
}

/**
 * Judges one IP address in any textual form `node:net`, `node:dns` or the WHATWG URL parser produce: dotted
 * IPv4, IPv6 compressed or not, with a dotted IPv4 tail, in brackets. Anything that is not an IP address
 * (a name, an empty string, inet_aton shorthand such as `127.1`) is never public: the caller must resolve
 * names and judge the addresses it will connect to. An IPv6 zone (`fe80::1%eth0`) is never public either,
 * since only scoped, on-link addresses carry one.
 */
export function classifyAddress(address: string): AddressVerdict {
  const text = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address
  if (text.includes('%')) return { public: false, reason: 'scoped (has a zone)' }
  const family = isIP(text)
  if (family === 4) return judgeV4(text.split('.').map(Number))
  if (family === 6) return judgeV6(v6Bytes(text.toLowerCase()))
  return { public: false, reason: 'not an IP address' }
}

/** true when `address` (see classifyAddress) is a public, globally reachable unicast address */
export function isPublicAddress(address: string): boolean {
  return classifyAddress(address).public
}

/**
 * true for `localhost` and `*.localhost`, any case, with or without trailing dots: RFC 6761 names that
 * always mean this machine, refused before any resolver is asked (resolvers disagree about `localhost.`).
 */
export function isLoopbackName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.+$/, '')
  return name === 'localhost' || name.endsWith('.localhost')
}
