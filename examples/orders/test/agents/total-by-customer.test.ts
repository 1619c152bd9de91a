// faustgen:stub agent-test total-by-customer
// This file is yours: faustgen wrote it once and never touches it again.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { startTestDriver } from 'faustgen/testing';
import { addMoney, fromCents, toCents } from '../../src/money.js';
import { buildApp } from '../../src/generated/app.js';
import { Order } from '../../src/generated/models.js';
import type { OrderStatus } from '../../src/generated/models.js';
import type { Tables } from '../../src/generated/tables.js';

function order(customer: string, amount: string, placedAt: string, status: OrderStatus = 'PLACED'): { key: string; value: Order } {
  const orderId = randomUUID();
  return { key: orderId, value: new Order({ order_id: orderId, customer_id: customer, placed_at: placedAt, amount, status }) };
}

test('money adds exactly in cents', () => {
  assert.equal(addMoney('0.10', '0.20'), '0.30');
  assert.equal(addMoney('19.99', '0.01'), '20.00');
  assert.equal(fromCents(toCents('-1.5')), '-1.50');
  assert.throws(() => toCents('1.234'), /at most 2 decimals/);
});

test('orders are regrouped by customer and summed per customer, cancelled ones excluded', async () => {
  let tables: Tables | undefined;
  await using driver = await startTestDriver((testing) => {
    const built = buildApp(testing);
    tables = built.tables;
    return built.app;
  });
  await driver.send('orders', order('ada', '19.99', '2024-01-02T10:00:00.000Z'));
  await driver.send('orders', order('grace', '5.00', '2024-01-02T11:00:00Z'));
  await driver.send('orders', order('ada', '0.01', '2024-01-03T09:30:00.000+01:00', 'PAID'));
  await driver.send('orders', order('ada', '100.00', '2024-01-04T00:00:00.000Z', 'CANCELLED'));
  await driver.settle();

  const ada = tables?.customerTotals.get('ada');
  assert.ok(ada);
  assert.equal(ada.orders, 2);
  assert.equal(ada.total, '20.00');
  // The +01:00 offset is kept as the same instant, written back in UTC.
  assert.equal(ada.last_order_at, '2024-01-03T08:30:00.000Z');
  assert.equal(tables?.customerTotals.get('grace')?.total, '5.00');
  assert.equal(tables?.customerTotals.get('alan'), undefined);

  // The repartition topic is keyed by customer, so each customer's orders share one partition.
  const regrouped = driver.records<string, Order>('orders-orders-by-customer-repartition');
  assert.equal(regrouped.length, 4);
  const adaPartitions = new Set(regrouped.filter((record) => record.key === 'ada').map((record) => record.partition));
  assert.equal(adaPartitions.size, 1);
});

test('an order whose amount has more decimals than the schema allows is refused', async () => {
  await using driver = await startTestDriver((testing) => buildApp(testing).app);
  await assert.rejects(driver.send('orders', order('ada', '1.005', '2024-01-02T10:00:00.000Z')), /amount/);
});
