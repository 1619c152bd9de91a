// faustgen:stub agent total-by-customer
// This file is yours: faustgen wrote it once and never touches it again.
import { CustomerTotal } from '../generated/models.js';
import type { TotalByCustomerHandler } from '../generated/handlers.js';
import { addMoney } from '../money.js';

/**
 * Adds every order that is not cancelled to its customer's total. The stream is regrouped by
 * customer_id, so all orders of a customer reach the partition that holds the customer's total.
 */
export const totalByCustomer: TotalByCustomerHandler = async (stream, ctx) => {
  const totals = ctx.tables.customerTotals;
  for await (const order of stream) {
    if (order.status === 'CANCELLED') continue;
    const previous = totals.get(order.customer_id);
    const lastOrderAt = previous !== undefined && Date.parse(previous.last_order_at) > Date.parse(order.placed_at) ? previous.last_order_at : order.placed_at;
    totals.set(
      order.customer_id,
      new CustomerTotal({
        customer_id: order.customer_id,
        orders: (previous?.orders ?? 0) + 1,
        total: addMoney(previous?.total ?? '0.00', order.amount),
        last_order_at: lastOrderAt,
      }),
    );
  }
};
