declare module 'autocannon' {
  interface Result {
    requests: { average: number; total: number }
    latency: { p50: number; p99: number }
    non2xx: number
    errors: number
    timeouts: number
  }
  function autocannon(opts: Record<string, unknown>): Promise<Result>
  export default autocannon
}
