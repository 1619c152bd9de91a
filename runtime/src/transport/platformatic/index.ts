export { PlatformaticKafkaTransport, createPlatformaticKafkaTransport } from './transport.js';
