#pragma once

// Whole HTTP/1.1 responses as the venues send them, shared by the parser and classification tests
// and by bench/protocol_bench.cpp. Bodies are the documented ones (docs/venues.md §1.5, §2,
// §3, §4, §5, §5b; OKX's 59000 with the text users received, §4.6). The venue header blocks
// (250-315 bytes) are modelled on headers seen on real replies (Binance behind CloudFront with
// X-MBX-USED-WEIGHT-1M, issue reports cited in docs/venues.md §8).

#include <array>
#include <string_view>

namespace posmode::test {

/** One captured response and what a correct parser must find in it. */
struct venue_response {
  std::string_view name;
  std::string_view bytes;  ///< the whole response as it arrives on the connection
  int status;              ///< HTTP status code
  std::string_view body;   ///< the decoded body (chunked coding removed)
};

// clang-format off
#define POSMODE_BINANCE_HEADERS(length)                          \
  "Content-Type: application/json\r\n"                           \
  "Content-Length: " length "\r\n"                               \
  "Connection: keep-alive\r\n"                                   \
  "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\n"                      \
  "Server: Tengine\r\n"                                          \
  "x-mbx-used-weight-1m: 43\r\n"                                 \
  "X-Cache: Miss from cloudfront\r\n"                            \
  "Via: 1.1 8f7a2c1d5e3b4a6c.cloudfront.net (CloudFront)\r\n"    \
  "X-Amz-Cf-Pop: NRT57-P3\r\n"

#define POSMODE_BITGET_HEADERS(length)                           \
  "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\n"                      \
  "Content-Type: application/json\r\n"                           \
  "Content-Length: " length "\r\n"                               \
  "Connection: keep-alive\r\n"                                   \
  "Strict-Transport-Security: max-age=31536000\r\n"              \
  "CF-Cache-Status: DYNAMIC\r\n"                                 \
  "Server: cloudflare\r\n"                                       \
  "CF-RAY: 8251c0ffee1234ab-NRT\r\n"

#define POSMODE_OKX_HEADERS(length)                              \
  "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\n"                      \
  "Content-Type: application/json\r\n"                           \
  "Content-Length: " length "\r\n"                               \
  "Connection: keep-alive\r\n"                                   \
  "x-brokerid: 0\r\n"                                             \
  "Strict-Transport-Security: max-age=63072000; includeSubdomains\r\n" \
  "Server: nginx\r\n"

inline constexpr venue_response binance_success{
  "binance_success",
  "HTTP/1.1 200 OK\r\n" POSMODE_BINANCE_HEADERS("28") "\r\n"
  R"({"code":200,"msg":"success"})",
  200, R"({"code":200,"msg":"success"})"};

inline constexpr venue_response binance_already{
  "binance_already_4059",
  "HTTP/1.1 400 Bad Request\r\n" POSMODE_BINANCE_HEADERS("55") "\r\n"
  R"({"code":-4059,"msg":"No need to change position side."})",
  400, R"({"code":-4059,"msg":"No need to change position side."})"};

inline constexpr venue_response binance_positions{
  "binance_positions_4068",
  "HTTP/1.1 400 Bad Request\r\n" POSMODE_BINANCE_HEADERS("80") "\r\n"
  R"({"code":-4068,"msg":"Position side cannot be changed if there exists position."})",
  400, R"({"code":-4068,"msg":"Position side cannot be changed if there exists position."})"};

inline constexpr venue_response binance_orders{
  "binance_orders_4067",
  "HTTP/1.1 400 Bad Request\r\n" POSMODE_BINANCE_HEADERS("83") "\r\n"
  R"({"code":-4067,"msg":"Position side cannot be changed if there exists open orders."})",
  400, R"({"code":-4067,"msg":"Position side cannot be changed if there exists open orders."})"};

inline constexpr venue_response binance_um_cm{
  "binance_um_cm_4220",
  "HTTP/1.1 400 Bad Request\r\n" POSMODE_BINANCE_HEADERS("123") "\r\n"
  R"({"code":-4220,"msg":"The operation is rejected because the CM dual-side is not allowed to be different from UM dual-side."})",
  400, R"({"code":-4220,"msg":"The operation is rejected because the CM dual-side is not allowed to be different from UM dual-side."})"};

inline constexpr venue_response binance_skew{
  "binance_skew_1021",
  "HTTP/1.1 400 Bad Request\r\n" POSMODE_BINANCE_HEADERS("88") "\r\n"
  R"({"code":-1021,"msg":"Timestamp for this request was 1000ms ahead of the server's time."})",
  400, R"({"code":-1021,"msg":"Timestamp for this request was 1000ms ahead of the server's time."})"};

inline constexpr venue_response binance_bad_signature{
  "binance_bad_signature_1022",
  "HTTP/1.1 400 Bad Request\r\n" POSMODE_BINANCE_HEADERS("63") "\r\n"
  R"({"code":-1022,"msg":"Signature for this request is not valid."})",
  400, R"({"code":-1022,"msg":"Signature for this request is not valid."})"};

inline constexpr venue_response binance_bad_key{
  "binance_bad_key_2015",
  "HTTP/1.1 401 Unauthorized\r\n" POSMODE_BINANCE_HEADERS("70") "\r\n"
  R"({"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."})",
  401, R"({"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."})"};

inline constexpr venue_response binance_rate_limited{
  "binance_rate_limited_429",
  "HTTP/1.1 429 Too Many Requests\r\n" POSMODE_BINANCE_HEADERS("152")
  "Retry-After: 7\r\n\r\n"
  R"({"code":-1003,"msg":"Too many requests; current limit is 2400 requests per minute. Please use the websocket for live updates to avoid polling the API."})",
  429, R"({"code":-1003,"msg":"Too many requests; current limit is 2400 requests per minute. Please use the websocket for live updates to avoid polling the API."})"};

inline constexpr venue_response binance_ip_banned{
  "binance_ip_banned_418",
  "HTTP/1.1 418 I'm a teapot\r\n" POSMODE_BINANCE_HEADERS("133")
  "Retry-After: 120\r\n\r\n"
  R"({"code":-1003,"msg":"Way too many requests; IP banned until 1700000120000. Please use the websocket for live updates to avoid bans."})",
  418, R"({"code":-1003,"msg":"Way too many requests; IP banned until 1700000120000. Please use the websocket for live updates to avoid bans."})"};

inline constexpr venue_response binance_unknown_503{
  "binance_unknown_503",
  "HTTP/1.1 503 Service Unavailable\r\n" POSMODE_BINANCE_HEADERS("83") "\r\n"
  R"({"code":-1000,"msg":"Unknown error, please check your request or try again later."})",
  503, R"({"code":-1000,"msg":"Unknown error, please check your request or try again later."})"};

inline constexpr venue_response binance_timeout_1007{
  "binance_timeout_1007",
  "HTTP/1.1 408 Request Timeout\r\n" POSMODE_BINANCE_HEADERS("119") "\r\n"
  R"({"code":-1007,"msg":"Timeout waiting for response from backend server. Send status unknown; execution status unknown."})",
  408, R"({"code":-1007,"msg":"Timeout waiting for response from backend server. Send status unknown; execution status unknown."})"};

inline constexpr venue_response binance_query_hedge{
  "binance_query_hedge",
  "HTTP/1.1 200 OK\r\n" POSMODE_BINANCE_HEADERS("25") "\r\n"
  R"({"dualSidePosition":true})",
  200, R"({"dualSidePosition":true})"};

inline constexpr venue_response binance_server_time{
  "binance_server_time",
  "HTTP/1.1 200 OK\r\n" POSMODE_BINANCE_HEADERS("28") "\r\n"
  R"({"serverTime":1700000000123})",
  200, R"({"serverTime":1700000000123})"};

inline constexpr venue_response bitget_success{
  "bitget_success",
  "HTTP/1.1 200 OK\r\n" POSMODE_BITGET_HEADERS("92") "\r\n"
  R"({"code":"00000","msg":"success","data":{"posMode":"hedge_mode"},"requestTime":1700000000123})",
  200, R"({"code":"00000","msg":"success","data":{"posMode":"hedge_mode"},"requestTime":1700000000123})"};

inline constexpr venue_response bitget_skew{
  "bitget_skew_40008",
  "HTTP/1.1 400 Bad Request\r\n" POSMODE_BITGET_HEADERS("90") "\r\n"
  R"({"code":"40008","msg":"Request timestamp expired","requestTime":1700000000123,"data":null})",
  400, R"({"code":"40008","msg":"Request timestamp expired","requestTime":1700000000123,"data":null})"};

inline constexpr venue_response bitget_bad_signature{
  "bitget_bad_signature_40009",
  "HTTP/1.1 400 Bad Request\r\n" POSMODE_BITGET_HEADERS("85") "\r\n"
  R"({"code":"40009","msg":"sign signature error","requestTime":1700000000123,"data":null})",
  400, R"({"code":"40009","msg":"sign signature error","requestTime":1700000000123,"data":null})"};

inline constexpr venue_response bitget_wrong_environment{
  "bitget_wrong_environment_40099",
  "HTTP/1.1 400 Bad Request\r\n" POSMODE_BITGET_HEADERS("98") "\r\n"
  R"({"code":"40099","msg":"exchange environment is incorrect","requestTime":1700000000123,"data":null})",
  400, R"({"code":"40099","msg":"exchange environment is incorrect","requestTime":1700000000123,"data":null})"};

inline constexpr venue_response bitget_rate_limited{
  "bitget_rate_limited_429",
  "HTTP/1.1 429 Too Many Requests\r\n" POSMODE_BITGET_HEADERS("80") "\r\n"
  R"({"code":"429","msg":"Too many requests","requestTime":1700000000123,"data":null})",
  429, R"({"code":"429","msg":"Too many requests","requestTime":1700000000123,"data":null})"};

inline constexpr venue_response bitget_query_one_way{
  "bitget_query_one_way",
  "HTTP/1.1 200 OK\r\n" POSMODE_BITGET_HEADERS("213") "\r\n"
  R"({"code":"00000","msg":"success","requestTime":1700000000123,"data":{"marginCoin":"USDT","locked":"0","available":"1000","marginMode":"crossed","posMode":"one_way_mode","assetMode":"single","isolatedLongLever":20}})",
  200, R"({"code":"00000","msg":"success","requestTime":1700000000123,"data":{"marginCoin":"USDT","locked":"0","available":"1000","marginMode":"crossed","posMode":"one_way_mode","assetMode":"single","isolatedLongLever":20}})"};

inline constexpr venue_response bitget_server_time{
  "bitget_server_time",
  "HTTP/1.1 200 OK\r\n" POSMODE_BITGET_HEADERS("98") "\r\n"
  R"({"code":"00000","msg":"success","requestTime":1700111073740,"data":{"serverTime":"1700111073740"}})",
  200, R"({"code":"00000","msg":"success","requestTime":1700111073740,"data":{"serverTime":"1700111073740"}})"};

inline constexpr venue_response okx_success{
  "okx_success",
  "HTTP/1.1 200 OK\r\n" POSMODE_OKX_HEADERS("60") "\r\n"
  R"({"code":"0","msg":"","data":[{"posMode":"long_short_mode"}]})",
  200, R"({"code":"0","msg":"","data":[{"posMode":"long_short_mode"}]})"};

inline constexpr venue_response okx_blocked{
  "okx_blocked_59000",
  "HTTP/1.1 200 OK\r\n" POSMODE_OKX_HEADERS("120") "\r\n"
  R"({"code":"59000","msg":"Setting failed. Cancel any open orders, close positions, and stop trading bots first.","data":[]})",
  200, R"({"code":"59000","msg":"Setting failed. Cancel any open orders, close positions, and stop trading bots first.","data":[]})"};

inline constexpr venue_response okx_borrowings{
  "okx_borrowings_59001",
  "HTTP/1.1 200 OK\r\n" POSMODE_OKX_HEADERS("80") "\r\n"
  R"({"code":"59001","msg":"Switching unavailable as you have borrowings.","data":[]})",
  200, R"({"code":"59001","msg":"Switching unavailable as you have borrowings.","data":[]})"};

inline constexpr venue_response okx_skew{
  "okx_skew_50102",
  "HTTP/1.1 401 Unauthorized\r\n" POSMODE_OKX_HEADERS("50") "\r\n"
  R"({"msg":"Timestamp request expired","code":"50102"})",
  401, R"({"msg":"Timestamp request expired","code":"50102"})"};

inline constexpr venue_response okx_bad_signature{
  "okx_bad_signature_50113",
  "HTTP/1.1 401 Unauthorized\r\n" POSMODE_OKX_HEADERS("37") "\r\n"
  R"({"msg":"Invalid Sign","code":"50113"})",
  401, R"({"msg":"Invalid Sign","code":"50113"})"};

inline constexpr venue_response okx_wrong_environment{
  "okx_wrong_environment_50101",
  "HTTP/1.1 401 Unauthorized\r\n" POSMODE_OKX_HEADERS("67") "\r\n"
  R"({"msg":"APIKey does not match current environment.","code":"50101"})",
  401, R"({"msg":"APIKey does not match current environment.","code":"50101"})"};

inline constexpr venue_response okx_rate_limited{
  "okx_rate_limited_429",
  "HTTP/1.1 429 Too Many Requests\r\n" POSMODE_OKX_HEADERS("42") "\r\n"
  R"({"msg":"Too Many Requests","code":"50011"})",
  429, R"({"msg":"Too Many Requests","code":"50011"})"};

inline constexpr venue_response okx_timeout{
  "okx_timeout_50004",
  "HTTP/1.1 400 Bad Request\r\n" POSMODE_OKX_HEADERS("54") "\r\n"
  R"({"msg":"API endpoint request timeout ","code":"50004"})",
  400, R"({"msg":"API endpoint request timeout ","code":"50004"})"};

inline constexpr venue_response okx_unavailable{
  "okx_unavailable_503",
  "HTTP/1.1 503 Service Unavailable\r\n" POSMODE_OKX_HEADERS("81") "\r\n"
  R"({"msg":"Service temporarily unavailable. Please try again later.","code":"50001"})",
  503, R"({"msg":"Service temporarily unavailable. Please try again later.","code":"50001"})"};

inline constexpr venue_response okx_query_net{
  "okx_query_net",
  "HTTP/1.1 200 OK\r\n" POSMODE_OKX_HEADERS("204") "\r\n"
  R"({"code":"0","data":[{"acctLv":"2","autoLoan":false,"ctIsoMode":"automatic","greeksType":"PA","level":"Lv1","levelTmp":"","mgnIsoMode":"automatic","posMode":"net_mode","uid":"44705892343619584"}],"msg":""})",
  200, R"({"code":"0","data":[{"acctLv":"2","autoLoan":false,"ctIsoMode":"automatic","greeksType":"PA","level":"Lv1","levelTmp":"","mgnIsoMode":"automatic","posMode":"net_mode","uid":"44705892343619584"}],"msg":""})"};

inline constexpr venue_response okx_server_time{
  "okx_server_time",
  "HTTP/1.1 200 OK\r\n" POSMODE_OKX_HEADERS("53") "\r\n"
  R"({"code":"0","data":[{"ts":"1700000000123"}],"msg":""})",
  200, R"({"code":"0","data":[{"ts":"1700000000123"}],"msg":""})"};

#define POSMODE_BYBIT_HEADERS(length)                            \
  "Content-Type: application/json; charset=utf-8\r\n"            \
  "Content-Length: " length "\r\n"                               \
  "Connection: keep-alive\r\n"                                   \
  "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\n"                      \
  "Server: Openresty\r\n"                                        \
  "Ret_code: 0\r\n"                                              \
  "Traceid: 6a1b2c3d4e5f60718293a4b5c6d7e8f9\r\n"                 \
  "X-Bapi-Limit: 10\r\n"                                         \
  "X-Bapi-Limit-Status: 9\r\n"                                   \
  "X-Bapi-Limit-Reset-Timestamp: 1700000000500\r\n"

inline constexpr venue_response bybit_success{
  "bybit_success",
  "HTTP/1.1 200 OK\r\n" POSMODE_BYBIT_HEADERS("76") "\r\n"
  R"({"retCode":0,"retMsg":"OK","result":{},"retExtInfo":{},"time":1700000000123})",
  200, R"({"retCode":0,"retMsg":"OK","result":{},"retExtInfo":{},"time":1700000000123})"};

inline constexpr venue_response bybit_already{
  "bybit_already_110025",
  "HTTP/1.1 200 OK\r\n" POSMODE_BYBIT_HEADERS("115") "\r\n"
  R"({"retCode":110025,"retMsg":"Position mode has not been modified.","result":{},"retExtInfo":{},"time":1700000000123})",
  200, R"({"retCode":110025,"retMsg":"Position mode has not been modified.","result":{},"retExtInfo":{},"time":1700000000123})"};

inline constexpr venue_response bybit_positions{
  "bybit_positions_110024",
  "HTTP/1.1 200 OK\r\n" POSMODE_BYBIT_HEADERS("150") "\r\n"
  R"({"retCode":110024,"retMsg":"You have an existing position, so the position mode cannot be switched.","result":{},"retExtInfo":{},"time":1700000000123})",
  200, R"({"retCode":110024,"retMsg":"You have an existing position, so the position mode cannot be switched.","result":{},"retExtInfo":{},"time":1700000000123})"};

inline constexpr venue_response bybit_orders{
  "bybit_orders_110028",
  "HTTP/1.1 200 OK\r\n" POSMODE_BYBIT_HEADERS("150") "\r\n"
  R"({"retCode":110028,"retMsg":"You have existing open orders, so the position mode cannot be switched.","result":{},"retExtInfo":{},"time":1700000000123})",
  200, R"({"retCode":110028,"retMsg":"You have existing open orders, so the position mode cannot be switched.","result":{},"retExtInfo":{},"time":1700000000123})"};

inline constexpr venue_response bybit_hedge_not_supported{
  "bybit_hedge_not_supported_110029",
  "HTTP/1.1 200 OK\r\n" POSMODE_BYBIT_HEADERS("123") "\r\n"
  R"({"retCode":110029,"retMsg":"Hedge mode is not supported for this symbol.","result":{},"retExtInfo":{},"time":1700000000123})",
  200, R"({"retCode":110029,"retMsg":"Hedge mode is not supported for this symbol.","result":{},"retExtInfo":{},"time":1700000000123})"};

inline constexpr venue_response bybit_skew{
  "bybit_skew_10002",
  "HTTP/1.1 200 OK\r\n" POSMODE_BYBIT_HEADERS("150") "\r\n"
  R"({"retCode":10002,"retMsg":"invalid request, please check your server timestamp or recv_window param","result":{},"retExtInfo":{},"time":1700000000123})",
  200, R"({"retCode":10002,"retMsg":"invalid request, please check your server timestamp or recv_window param","result":{},"retExtInfo":{},"time":1700000000123})"};

inline constexpr venue_response bybit_bad_signature{
  "bybit_bad_signature_10004",
  "HTTP/1.1 200 OK\r\n" POSMODE_BYBIT_HEADERS("140") "\r\n"
  R"({"retCode":10004,"retMsg":"error sign! origin_string[1700000000000XXXXXXXXXXXXXXXXXX5000]","result":{},"retExtInfo":{},"time":1700000000123})",
  200, R"({"retCode":10004,"retMsg":"error sign! origin_string[1700000000000XXXXXXXXXXXXXXXXXX5000]","result":{},"retExtInfo":{},"time":1700000000123})"};

inline constexpr venue_response bybit_bad_key{
  "bybit_bad_key_10003",
  "HTTP/1.1 200 OK\r\n" POSMODE_BYBIT_HEADERS("97") "\r\n"
  R"({"retCode":10003,"retMsg":"API key is invalid.","result":{},"retExtInfo":{},"time":1700000000123})",
  200, R"({"retCode":10003,"retMsg":"API key is invalid.","result":{},"retExtInfo":{},"time":1700000000123})"};

inline constexpr venue_response bybit_rate_limited{
  "bybit_rate_limited_10006",
  "HTTP/1.1 200 OK\r\n" POSMODE_BYBIT_HEADERS("94") "\r\n"
  R"({"retCode":10006,"retMsg":"Too many visits!","result":{},"retExtInfo":{},"time":1700000000123})",
  200, R"({"retCode":10006,"retMsg":"Too many visits!","result":{},"retExtInfo":{},"time":1700000000123})"};

inline constexpr venue_response bybit_query_hedge{
  "bybit_query_hedge",
  "HTTP/1.1 200 OK\r\n" POSMODE_BYBIT_HEADERS("318") "\r\n"
  R"({"retCode":0,"retMsg":"OK","result":{"list":[{"positionIdx":1,"symbol":"BTCUSDT","side":"","size":"0","positionValue":"","tradeMode":0},{"positionIdx":2,"symbol":"BTCUSDT","side":"Sell","size":"0.01","positionValue":"370.5","tradeMode":0}],"nextPageCursor":"","category":"linear"},"retExtInfo":{},"time":1700000000123})",
  200, R"({"retCode":0,"retMsg":"OK","result":{"list":[{"positionIdx":1,"symbol":"BTCUSDT","side":"","size":"0","positionValue":"","tradeMode":0},{"positionIdx":2,"symbol":"BTCUSDT","side":"Sell","size":"0.01","positionValue":"370.5","tradeMode":0}],"nextPageCursor":"","category":"linear"},"retExtInfo":{},"time":1700000000123})"};

inline constexpr venue_response bybit_query_one_way{
  "bybit_query_one_way",
  "HTTP/1.1 200 OK\r\n" POSMODE_BYBIT_HEADERS("215") "\r\n"
  R"({"retCode":0,"retMsg":"OK","result":{"list":[{"positionIdx":0,"symbol":"BTCUSDT","side":"","size":"0","positionValue":"","tradeMode":0}],"nextPageCursor":"","category":"linear"},"retExtInfo":{},"time":1700000000123})",
  200, R"({"retCode":0,"retMsg":"OK","result":{"list":[{"positionIdx":0,"symbol":"BTCUSDT","side":"","size":"0","positionValue":"","tradeMode":0}],"nextPageCursor":"","category":"linear"},"retExtInfo":{},"time":1700000000123})"};

inline constexpr venue_response bybit_server_time{
  "bybit_server_time",
  "HTTP/1.1 200 OK\r\n" POSMODE_BYBIT_HEADERS("134") "\r\n"
  R"({"retCode":0,"retMsg":"OK","result":{"timeSecond":"1700111073","timeNano":"1700111073740123456"},"retExtInfo":{},"time":1700111073740})",
  200, R"({"retCode":0,"retMsg":"OK","result":{"timeSecond":"1700111073","timeNano":"1700111073740123456"},"retExtInfo":{},"time":1700111073740})"};

// The IP limit (docs/venues.md §5.3): HTTP 403, not a JSON answer.
inline constexpr venue_response bybit_ip_banned{
  "bybit_ip_banned_403",
  "HTTP/1.1 403 Forbidden\r\n"
  "Content-Type: text/plain\r\n"
  "Content-Length: 19\r\n"
  "Connection: keep-alive\r\n"
  "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\n\r\n"
  "access too frequent",
  403, "access too frequent"};

// The same success reply with a chunked body split in three chunks (an extension on one).
inline constexpr venue_response bitget_success_chunked{
  "bitget_success_chunked",
  "HTTP/1.1 200 OK\r\n"
  "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\n"
  "Content-Type: application/json\r\n"
  "Transfer-Encoding: chunked\r\n"
  "Connection: keep-alive\r\n"
  "Server: cloudflare\r\n\r\n"
  "20\r\n" R"({"code":"00000","msg":"success",)" "\r\n"
  "20;ext=1\r\n" R"("data":{"posMode":"hedge_mode"},)" "\r\n"
  "22\r\n" R"("requestTime":1700000000123})" "      \r\n"
  "0\r\n\r\n",
  200, R"({"code":"00000","msg":"success","data":{"posMode":"hedge_mode"},"requestTime":1700000000123})" "      "};

// A CDN's HTML error page in front of the API (HTTP 502), and one served with status 200.
inline constexpr venue_response html_502{
  "html_502",
  "HTTP/1.1 502 Bad Gateway\r\n"
  "Server: CloudFront\r\n"
  "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\n"
  "Content-Type: text/html\r\n"
  "Content-Length: 155\r\n"
  "Connection: keep-alive\r\n\r\n"
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
  "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>CloudFront</center>\r\n</body>\r\n</html>\r\n",
  502,
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
  "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>CloudFront</center>\r\n</body>\r\n</html>\r\n"};

inline constexpr venue_response html_200{
  "html_200",
  "HTTP/1.1 200 OK\r\n"
  "Server: nginx\r\n"
  "Content-Type: text/html; charset=utf-8\r\n"
  "Content-Length: 92\r\n"
  "Connection: close\r\n\r\n"
  "<!DOCTYPE html><html><head><title>Maintenance</title></head><body>Back soon.</body></html>\r\n",
  200,
  "<!DOCTYPE html><html><head><title>Maintenance</title></head><body>Back soon.</body></html>\r\n"};
// clang-format on

#undef POSMODE_BINANCE_HEADERS
#define POSMODE_GATE_HEADERS(length)                     \
  "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\n"              \
  "Content-Type: application/json\r\n"                   \
  "Content-Length: " length                              \
  "\r\n"                                                 \
  "Connection: keep-alive\r\n"                           \
  "X-Gate-Trace-Id: 9d8c7b6a5f4e3d2c1b0a99887766554\r\n" \
  "X-Request-Id: 1700000000123-4a5b6c7d\r\n"             \
  "X-Gate-RateLimit-Requests-Remain: 199\r\n"            \
  "X-Gate-RateLimit-Limit: 200\r\n"                      \
  "X-Gate-RateLimit-Reset-Timestamp: 1700000000\r\n"

inline constexpr venue_response gate_success{
  "gate_success_dual",
  "HTTP/1.1 200 OK\r\n" POSMODE_GATE_HEADERS("803") "\r\n"
  R"({"user":1666,"currency":"USDT","total":"9707.803567115145","unrealised_pnl":"3.0","position_margin":"38.712189181","order_margin":"0","available":"9669.091377934145","point":"0","bonus":"0","in_dual_mode":true,"enable_evolved_classic":false,"cross_initial_margin":"0","cross_maintenance_margin":"0","cross_order_margin":"0","cross_unrealised_pnl":"0","cross_available":"0","cross_margin_balance":"0","isolated_position_margin":"0","history":{"dnw":"10000","pnl":"68.3685","fee":"-1.645812875","refr":"0","fund":"-358.919120009855","point_dnw":"0","point_fee":"0","point_refr":"0","bonus_dnw":"0","bonus_offset":"0"},"enable_credit":false,"enable_dual_plus":true,"margin_mode":0,"position_mode":"dual","enable_tiered_mm":true,"position_initial_margin":"38.712189181","maintenance_margin":"15.4848756724"})",
  200, R"({"user":1666,"currency":"USDT","total":"9707.803567115145","unrealised_pnl":"3.0","position_margin":"38.712189181","order_margin":"0","available":"9669.091377934145","point":"0","bonus":"0","in_dual_mode":true,"enable_evolved_classic":false,"cross_initial_margin":"0","cross_maintenance_margin":"0","cross_order_margin":"0","cross_unrealised_pnl":"0","cross_available":"0","cross_margin_balance":"0","isolated_position_margin":"0","history":{"dnw":"10000","pnl":"68.3685","fee":"-1.645812875","refr":"0","fund":"-358.919120009855","point_dnw":"0","point_fee":"0","point_refr":"0","bonus_dnw":"0","bonus_offset":"0"},"enable_credit":false,"enable_dual_plus":true,"margin_mode":0,"position_mode":"dual","enable_tiered_mm":true,"position_initial_margin":"38.712189181","maintenance_margin":"15.4848756724"})"};

inline constexpr venue_response gate_query_single{
  "gate_query_single",
  "HTTP/1.1 200 OK\r\n" POSMODE_GATE_HEADERS("806") "\r\n"
  R"({"user":1666,"currency":"USDT","total":"9707.803567115145","unrealised_pnl":"3.0","position_margin":"38.712189181","order_margin":"0","available":"9669.091377934145","point":"0","bonus":"0","in_dual_mode":false,"enable_evolved_classic":false,"cross_initial_margin":"0","cross_maintenance_margin":"0","cross_order_margin":"0","cross_unrealised_pnl":"0","cross_available":"0","cross_margin_balance":"0","isolated_position_margin":"0","history":{"dnw":"10000","pnl":"68.3685","fee":"-1.645812875","refr":"0","fund":"-358.919120009855","point_dnw":"0","point_fee":"0","point_refr":"0","bonus_dnw":"0","bonus_offset":"0"},"enable_credit":false,"enable_dual_plus":true,"margin_mode":0,"position_mode":"single","enable_tiered_mm":true,"position_initial_margin":"38.712189181","maintenance_margin":"15.4848756724"})",
  200, R"({"user":1666,"currency":"USDT","total":"9707.803567115145","unrealised_pnl":"3.0","position_margin":"38.712189181","order_margin":"0","available":"9669.091377934145","point":"0","bonus":"0","in_dual_mode":false,"enable_evolved_classic":false,"cross_initial_margin":"0","cross_maintenance_margin":"0","cross_order_margin":"0","cross_unrealised_pnl":"0","cross_available":"0","cross_margin_balance":"0","isolated_position_margin":"0","history":{"dnw":"10000","pnl":"68.3685","fee":"-1.645812875","refr":"0","fund":"-358.919120009855","point_dnw":"0","point_fee":"0","point_refr":"0","bonus_dnw":"0","bonus_offset":"0"},"enable_credit":false,"enable_dual_plus":true,"margin_mode":0,"position_mode":"single","enable_tiered_mm":true,"position_initial_margin":"38.712189181","maintenance_margin":"15.4848756724"})"};

inline constexpr venue_response gate_query_split{
  "gate_query_split",
  "HTTP/1.1 200 OK\r\n" POSMODE_GATE_HEADERS("809") "\r\n"
  R"({"user":1666,"currency":"USDT","total":"9707.803567115145","unrealised_pnl":"3.0","position_margin":"38.712189181","order_margin":"0","available":"9669.091377934145","point":"0","bonus":"0","in_dual_mode":false,"enable_evolved_classic":false,"cross_initial_margin":"0","cross_maintenance_margin":"0","cross_order_margin":"0","cross_unrealised_pnl":"0","cross_available":"0","cross_margin_balance":"0","isolated_position_margin":"0","history":{"dnw":"10000","pnl":"68.3685","fee":"-1.645812875","refr":"0","fund":"-358.919120009855","point_dnw":"0","point_fee":"0","point_refr":"0","bonus_dnw":"0","bonus_offset":"0"},"enable_credit":false,"enable_dual_plus":true,"margin_mode":0,"position_mode":"dual_plus","enable_tiered_mm":true,"position_initial_margin":"38.712189181","maintenance_margin":"15.4848756724"})",
  200, R"({"user":1666,"currency":"USDT","total":"9707.803567115145","unrealised_pnl":"3.0","position_margin":"38.712189181","order_margin":"0","available":"9669.091377934145","point":"0","bonus":"0","in_dual_mode":false,"enable_evolved_classic":false,"cross_initial_margin":"0","cross_maintenance_margin":"0","cross_order_margin":"0","cross_unrealised_pnl":"0","cross_available":"0","cross_margin_balance":"0","isolated_position_margin":"0","history":{"dnw":"10000","pnl":"68.3685","fee":"-1.645812875","refr":"0","fund":"-358.919120009855","point_dnw":"0","point_fee":"0","point_refr":"0","bonus_dnw":"0","bonus_offset":"0"},"enable_credit":false,"enable_dual_plus":true,"margin_mode":0,"position_mode":"dual_plus","enable_tiered_mm":true,"position_initial_margin":"38.712189181","maintenance_margin":"15.4848756724"})"};

inline constexpr venue_response gate_position_holding{
  "gate_position_holding_400",
  "HTTP/1.1 400 Bad Request\r\n" POSMODE_GATE_HEADERS("57") "\r\n"
  R"({"label":"POSITION_HOLDING","message":"position holding"})",
  400, R"({"label":"POSITION_HOLDING","message":"position holding"})"};

inline constexpr venue_response gate_invalid_key{
  "gate_invalid_key_401",
  "HTTP/1.1 401 Unauthorized\r\n" POSMODE_GATE_HEADERS("56") "\r\n"
  R"({"label":"INVALID_KEY","message":"Invalid key provided"})",
  401, R"({"label":"INVALID_KEY","message":"Invalid key provided"})"};

inline constexpr venue_response gate_invalid_signature{
  "gate_invalid_signature_401",
  "HTTP/1.1 401 Unauthorized\r\n" POSMODE_GATE_HEADERS("60") "\r\n"
  R"({"label":"INVALID_SIGNATURE","message":"Signature mismatch"})",
  401, R"({"label":"INVALID_SIGNATURE","message":"Signature mismatch"})"};

inline constexpr venue_response gate_request_expired{
  "gate_request_expired_401",
  "HTTP/1.1 401 Unauthorized\r\n" POSMODE_GATE_HEADERS("96") "\r\n"
  R"({"label":"REQUEST_EXPIRED","message":"gap between request Timestamp and server time exceeds 60"})",
  401, R"({"label":"REQUEST_EXPIRED","message":"gap between request Timestamp and server time exceeds 60"})"};

inline constexpr venue_response gate_rate_limited{
    "gate_rate_limited_429",
    "HTTP/1.1 429 Too Many Requests\r\n"
    "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 69\r\n"
    "X-Gate-RateLimit-Requests-Remain: 0\r\n"
    "X-Gate-RateLimit-Limit: 200\r\n"
    "X-Gate-RateLimit-Reset-Timestamp: 1700000002\r\n"
    "\r\n"
    R"({"label":"TOO_MANY_REQUESTS","message":"Request Rate limit Exceeded"})",
    429, R"({"label":"TOO_MANY_REQUESTS","message":"Request Rate limit Exceeded"})"};

inline constexpr venue_response gate_server_error{
  "gate_server_error_500",
  "HTTP/1.1 500 Internal Server Error\r\n" POSMODE_GATE_HEADERS("58") "\r\n"
  R"({"label":"SERVER_ERROR","message":"Internal server error"})",
  500, R"({"label":"SERVER_ERROR","message":"Internal server error"})"};

inline constexpr venue_response gate_invalid_param{
  "gate_invalid_param_400",
  "HTTP/1.1 400 Bad Request\r\n" POSMODE_GATE_HEADERS("97") "\r\n"
  R"({"label":"INVALID_PARAM_VALUE","message":"Invalid request parameter `position_mode` value: both"})",
  400, R"({"label":"INVALID_PARAM_VALUE","message":"Invalid request parameter `position_mode` value: both"})"};

inline constexpr venue_response gate_server_time{
  "gate_server_time",
  "HTTP/1.1 200 OK\r\n" POSMODE_GATE_HEADERS("29") "\r\n"
  R"({"server_time":1700000000123})",
  200, R"({"server_time":1700000000123})"};

#undef POSMODE_BITGET_HEADERS
#undef POSMODE_OKX_HEADERS
#undef POSMODE_BYBIT_HEADERS
#undef POSMODE_GATE_HEADERS

/** Every response above, for loops over the whole set. */
inline constexpr std::array all_venue_responses{binance_success,
                                                binance_already,
                                                binance_positions,
                                                binance_orders,
                                                binance_um_cm,
                                                binance_skew,
                                                binance_bad_signature,
                                                binance_bad_key,
                                                binance_rate_limited,
                                                binance_ip_banned,
                                                binance_unknown_503,
                                                binance_timeout_1007,
                                                binance_query_hedge,
                                                binance_server_time,
                                                bitget_success,
                                                bitget_skew,
                                                bitget_bad_signature,
                                                bitget_wrong_environment,
                                                bitget_rate_limited,
                                                bitget_query_one_way,
                                                bitget_server_time,
                                                bitget_success_chunked,
                                                okx_success,
                                                okx_blocked,
                                                okx_borrowings,
                                                okx_skew,
                                                okx_bad_signature,
                                                okx_wrong_environment,
                                                okx_rate_limited,
                                                okx_timeout,
                                                okx_unavailable,
                                                okx_query_net,
                                                okx_server_time,
                                                bybit_success,
                                                bybit_already,
                                                bybit_positions,
                                                bybit_orders,
                                                bybit_hedge_not_supported,
                                                bybit_skew,
                                                bybit_bad_signature,
                                                bybit_bad_key,
                                                bybit_rate_limited,
                                                bybit_query_hedge,
                                                bybit_query_one_way,
                                                bybit_server_time,
                                                bybit_ip_banned,
                                                gate_success,
                                                gate_query_single,
                                                gate_query_split,
                                                gate_position_holding,
                                                gate_invalid_key,
                                                gate_invalid_signature,
                                                gate_request_expired,
                                                gate_rate_limited,
                                                gate_server_error,
                                                gate_invalid_param,
                                                gate_server_time,
                                                html_502,
                                                html_200};

}  // namespace posmode::test
