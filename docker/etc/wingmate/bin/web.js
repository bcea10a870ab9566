// Answers every request with a short text, and logs each one on stdout (which wingmate logs).
const http = require('node:http');

const port = Number(process.env.PORT || 8080);
http
  .createServer((request, response) => {
    console.log(`${request.method} ${request.url}`);
    response.end('hello from wingmate\n');
  })
  .listen(port, () => console.log(`listening on ${port}`));
