import { ValidationError } from "../../src/index.ts";
import { inTransaction } from "../../src/repositories/common/db-client.ts";
import { WebhookRateLimitRepository } from "../../src/repositories/webhook-rate-limit.ts";
import { testPrisma } from "../../src/testing/index.ts";

const limits = () => new WebhookRateLimitRepository(testPrisma());
let n = 0;
const unique = (base: string) => `${base}${++n}`;

// Inside one transaction now() is fixed, so every call sees the same window:
// no dependence on when the test runs relative to a window boundary.
const frozen = <T>(work: (repo: WebhookRateLimitRepository) => Promise<T>) =>
  inTransaction(testPrisma(), (tx) => work(new WebhookRateLimitRepository(tx)));

describe("WebhookRateLimitRepository", () => {
  it("counts requests per key in the current window and allows up to maxRequests", async () => {
    const key = unique("wh_rate");
    const other = unique("wh_other");
    const result = await frozen(async (repo) => {
      const before = await repo.currentCount(key, 60);
      const allowed = [await repo.check(key, 2, 60), await repo.check(key, 2, 60), await repo.check(key, 2, 60)];
      const otherAllowed = await repo.check(other, 2, 60);
      return { before, allowed, otherAllowed, count: await repo.currentCount(key, 60), otherCount: await repo.currentCount(other) };
    });
    expect(result).toEqual({ before: 0, allowed: [true, true, false], otherAllowed: true, count: 3, otherCount: 1 });
    const rows = await testPrisma().webhookRateLimit.findMany({ where: { webhookKey: key } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ requestCount: 3 });
  });

  it("uses the same window as check_webhook_rate_limit for other window lengths", async () => {
    const key = unique("wh_hour");
    const counts = await frozen(async (repo) => {
      await repo.check(key, 100, 3600);
      await repo.check(key, 100, 3600);
      return [await repo.currentCount(key, 3600), await repo.currentCount(unique("wh_none"), 3600)];
    });
    expect(counts).toEqual([2, 0]);
    const [row] = await testPrisma().webhookRateLimit.findMany({ where: { webhookKey: key } });
    // An hour-long window starts on the hour.
    expect(row!.windowStart.getUTCMinutes()).toBe(0);
    expect(row!.windowStart.getUTCSeconds()).toBe(0);
  });

  it("validates arguments before the database, naming the field", async () => {
    const error = await limits().check("", 1, 60).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toEqual([{ field: "webhookKey", message: expect.any(String) }]);
    await expect(limits().check("k", 0, 60)).rejects.toMatchObject({ issues: [{ field: "maxRequests" }] });
    await expect(limits().check("k", 1, 0)).rejects.toMatchObject({ issues: [{ field: "windowSeconds" }] });
    await expect(limits().check("k", 1, 3601)).rejects.toMatchObject({ issues: [{ field: "windowSeconds" }] });
    await expect(limits().currentCount("k", 0)).rejects.toMatchObject({ issues: [{ field: "windowSeconds" }] });
    await expect(limits().check("k".repeat(65), 1, 60)).rejects.toMatchObject({ issues: [{ field: "webhookKey" }] });
  });

  it("purges windows older than an hour (and check does too)", async () => {
    const prisma = testPrisma();
    const old = unique("wh_old");
    const recent = unique("wh_recent");
    await prisma.webhookRateLimit.create({ data: { webhookKey: old, windowStart: new Date(Date.now() - 2 * 3_600_000) } });
    await prisma.webhookRateLimit.create({ data: { webhookKey: recent, windowStart: new Date(Date.now() - 60_000) } });
    expect(await limits().purgeExpired()).toBe(1);
    expect(await prisma.webhookRateLimit.count({ where: { webhookKey: old } })).toBe(0);
    expect(await prisma.webhookRateLimit.count({ where: { webhookKey: recent } })).toBe(1);
    expect(await limits().purgeExpired()).toBe(0);

    await prisma.webhookRateLimit.create({ data: { webhookKey: old, windowStart: new Date(Date.now() - 3 * 3_600_000) } });
    await limits().check(unique("wh_any"), 10, 60);
    expect(await prisma.webhookRateLimit.count({ where: { webhookKey: old } })).toBe(0);
  });

  it("checks an IP against single addresses and CIDR blocks (IPv4 and IPv6)", async () => {
    expect(await limits().isIpAllowed("10.1.2.3", ["10.0.0.0/8"])).toBe(true);
    expect(await limits().isIpAllowed("192.168.1.5", ["10.0.0.0/8", "192.168.1.5"])).toBe(true);
    expect(await limits().isIpAllowed("192.168.1.6", ["10.0.0.0/8", "192.168.1.5"])).toBe(false);
    expect(await limits().isIpAllowed("2001:db8::42", ["2001:db8::/32"])).toBe(true);
    expect(await limits().isIpAllowed("2001:db9::42", ["2001:db8::/32"])).toBe(false);
    expect(await limits().isIpAllowed("10.1.2.3", [])).toBe(false);
  });

  it("validates the IP and the whitelist entries, naming the field", async () => {
    await expect(limits().isIpAllowed("not-an-ip", ["10.0.0.0/8"])).rejects.toMatchObject({ issues: [{ field: "sourceIp" }] });
    const error = await limits().isIpAllowed("10.0.0.1", ["10.0.0.0/8", "10.0.0.0/33"]).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toEqual([{ field: "whitelist.1", message: expect.stringMatching(/CIDR/) }]);
    await expect(limits().isIpAllowed("10.0.0.1", ["example.com"])).rejects.toMatchObject({ issues: [{ field: "whitelist.0" }] });
  });
});
