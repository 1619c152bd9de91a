/**
 * The codec benchmark's record, as Faust JSON (the form `Order.fromJSON` takes): about 1 KB as Avro
 * binary, 1.5 KB as JSON. The same values serve the Avro model (`bench/schemas/codec/order.avsc`,
 * decimals as strings) and the JSON Schema model (`order.schema.json`, decimals as numbers).
 */
const ITEMS = 6;

function lineItem(i: number, decimal: (text: string) => string | number): Record<string, unknown> {
  return {
    sku: `SKU-${String(1000 + i * 37)}`,
    title: `Stainless steel water bottle, 750 ml, colour ${i}`,
    quantity: 1 + (i % 3),
    unitPrice: decimal(`${12 + i}.${String(10 + i * 7).padStart(2, '0')}`),
    discount: i % 2 === 0 ? null : 0.125,
    giftWrap: i % 3 === 0,
  };
}

function order(decimal: (text: string) => string | number): Record<string, unknown> {
  return {
    orderId: '3f0c8f5e-2b7a-4c1d-9e8f-0a1b2c3d4e5f',
    placedAt: '2026-12-05T21:58:03.125Z',
    status: 'PAID',
    customer: {
      id: 4_711_000_042,
      name: 'Ada Lovelace-Byron',
      email: 'ada.lovelace@analytical-engines.example',
      vip: true,
      address: { street: '12 St James\'s Square, Flat 3', city: 'London', postcode: 'SW1Y 4JH', country: 'GB', latitude: 51.5074, longitude: null },
      tags: ['early-adopter', 'newsletter', 'mathematics', 'poetry', 'returns-rarely'],
    },
    items: Array.from({ length: ITEMS }, (_, i) => lineItem(i, decimal)),
    total: decimal('147.85'),
    currency: 'GBP',
    attributes: {
      channel: 'web',
      campaign: 'winter-sale-2026',
      device: 'desktop; Firefox 133 on Linux',
      referrer: 'https://news.example/articles/analytical-engines',
      warehouse: 'LHR-3',
      'payment.method': 'card',
    },
    shippedAt: null,
    note: 'Please leave the parcel with the concierge if nobody answers; the building has a reception desk on the ground floor.',
    priority: 3,
    weightKg: 4.25,
  };
}

/** The record for the Avro model: decimals as exact strings. */
export function avroOrderJson(): Record<string, unknown> {
  return order((text) => text);
}

/** The record for the JSON Schema model: decimals as JSON numbers. */
export function jsonOrderJson(): Record<string, unknown> {
  return order((text) => Number(text));
}
