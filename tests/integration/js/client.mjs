// An independent RingPlan Socket.IO client, written from the API document's JavaScript
// example ("Socket initialization" + "Socket authentication"). Usage:
//   node client.mjs URL API_KEY
// Prints one JSON line per step on stdout: {"step":"connected"}, {"step":"authenticated",
// "data":...}, then {"step":"texting.message.new","data":<Message>} and exits 0.
// Exits 2 on "unauthorized", 3 when nothing arrives within 20 s.
import { io } from 'socket.io-client';

const [url, API_KEY] = process.argv.slice(2);
const print = (step, data) => console.log(JSON.stringify({ step, data }));

const socket = io(url, {
  path: '/ws',
  transports: ['websocket'],
  autoConnect: false,
  reconnectionDelay: 1500
});

const timer = setTimeout(() => { print('timeout'); process.exit(3); }, 20000);

socket.connect();
socket.once('connect', function () {
  print('connected');
  socket.emit('authenticate', { token: API_KEY });
  socket.once('authenticated', function (data) {
    print('authenticated', data);
  });
});
socket.on('unauthorized', function (data) {
  print('unauthorized', data);
  process.exit(2);
});
socket.on('texting.message.new', function (data) {
  print('texting.message.new', data);
  clearTimeout(timer);
  socket.disconnect();
  process.exit(0);
});
