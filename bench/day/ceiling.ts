// The machine's ceiling for the day-of-action benchmark: a bare Express 5 app answering a 1 KB
// JSON, in a process of its own like Picket's server. Prints its port on stdout when listening.
import express from 'express';

const body = { items: Array.from({ length: 16 }, (_, i) => ({ id: i, title: `Picket outside the embassy no. ${i}`, n: i * 7 })) };
const app = express();
app.disable('x-powered-by');
app.get('/', (_req, res) => res.json(body));
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(typeof address === 'object' && address ? address.port : 0);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
