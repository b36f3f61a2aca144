/** Entry of the dedicated engine worker (client.ts starts it): the engine answers the page's messages. */
import { serveEngine } from './serve';

serveEngine(self as unknown as import('./protocol').PortLike);
