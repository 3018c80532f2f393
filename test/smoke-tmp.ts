import { connectClient } from "./helpers/mcp-client.js";
const url = new URL(process.argv[2] + "/mcp");
const { client } = await connectClient(url);
for (let i = 0; i < 4; i++) {
  const r = await client.callTool({ name: "get_user", arguments: { user_id: 1 } });
  console.log((r as any).structuredContent?.success);
}
await client.close();
