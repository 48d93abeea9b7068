// Real Locust 2.12.1 output the tests compare against, from
// ../shared/reference/locust/locust_2.12.1_headless.stderr.txt (kept here because a clean
// clone has no ../shared).
#ifndef SRE_EVAL_TESTS_LOCUST_REFERENCE_H_
#define SRE_EVAL_TESTS_LOCUST_REFERENCE_H_

namespace sre_eval {

// Everything after "Shutting down (exit code 1)": the final report of the headless run.
inline constexpr char kLocustHeadlessFinalReport[] =
    R"REF(Type     Name                                                                          # reqs      # fails |    Avg     Min     Max    Med |   req/s  failures/s
--------|----------------------------------------------------------------------------|-------|-------------|-------|-------|-------|-------|--------|-----------
GET      /                                                                                191     0(0.00%) |     53      43      63     52 |    9.62        0.00
GET      /basket.html                                                                     188     0(0.00%) |     53      43      64     54 |    9.46        0.00
DELETE   /cart                                                                            189     0(0.00%) |     14       5      21     15 |    9.51        0.00
POST     /cart                                                                            188     0(0.00%) |     21      10      30     21 |    9.46        0.00
GET      /catalogue                                                                       191     0(0.00%) |     53       8      64     52 |    9.62        0.00
GET      /category.html                                                                   190     0(0.00%) |     53      43      64     52 |    9.56        0.00
GET      /detail.html?id=03fef6ac-1896-4ce8-bd69-b798f85c6e0b                              21     0(0.00%) |     55      47      60     56 |    1.06        0.00
GET      /detail.html?id=3395a43e-2d88-40de-b95f-e00e1502085b                              22     0(0.00%) |     52      43      60     52 |    1.11        0.00
GET      /detail.html?id=510a0d7e-8e83-4193-b483-e27e09ddc34d                              24     0(0.00%) |     55      43      64     56 |    1.21        0.00
GET      /detail.html?id=808a2de1-1aaa-4c25-a9b9-6612e8f29a38                              13     0(0.00%) |     55      43      67     52 |    0.65        0.00
GET      /detail.html?id=819e1fbf-8b7e-4f6d-811f-693534916a8b                              20     0(0.00%) |     52      43      63     48 |    1.01        0.00
GET      /detail.html?id=837ab141-399e-4c1f-9abc-bace40296bac                              27     0(0.00%) |     52      43      64     52 |    1.36        0.00
GET      /detail.html?id=a0a4f044-b040-410d-8ead-4de0446aec7e                              19     0(0.00%) |     53      43      60     52 |    0.96        0.00
GET      /detail.html?id=d3588630-ad8e-49df-bbd7-3167f7efb246                              20     0(0.00%) |     53      47      64     52 |    1.01        0.00
GET      /detail.html?id=zzz4f044-b040-410d-8ead-4de0446aec7e                              23     0(0.00%) |     54      43      63     52 |    1.16        0.00
GET      /login                                                                           190     0(0.00%) |     53      43      64     52 |    9.56        0.00
POST     /orders                                                                          187   52(27.81%) |    169      91     359    140 |    9.41        2.62
--------|----------------------------------------------------------------------------|-------|-------------|-------|-------|-------|-------|--------|-----------
         Aggregated                                                                      1703    52(3.05%) |     58       5     359     52 |   85.73        2.62

Response time percentiles (approximated)
Type     Name                                                                                  50%    66%    75%    80%    90%    95%    98%    99%  99.9% 99.99%   100% # reqs
--------|--------------------------------------------------------------------------------|--------|------|------|------|------|------|------|------|------|------|------|------
GET      /                                                                                      52     56     60     60     60     61     64     64     64     64     64    191
GET      /basket.html                                                                           54     56     58     59     61     62     63     64     64     64     64    188
DELETE   /cart                                                                                  15     16     17     18     20     20     21     21     21     21     21    189
POST     /cart                                                                                  21     25     27     28     30     31     31     31     31     31     31    188
GET      /catalogue                                                                             52     56     60     60     60     63     64     64     64     64     64    191
GET      /category.html                                                                         52     56     60     60     60     64     64     64     64     64     64    190
GET      /detail.html?id=03fef6ac-1896-4ce8-bd69-b798f85c6e0b                                   56     60     60     60     60     60     60     60     60     60     60     21
GET      /detail.html?id=3395a43e-2d88-40de-b95f-e00e1502085b                                   52     56     56     56     60     60     60     60     60     60     60     22
GET      /detail.html?id=510a0d7e-8e83-4193-b483-e27e09ddc34d                                   56     56     60     60     64     64     64     64     64     64     64     24
GET      /detail.html?id=808a2de1-1aaa-4c25-a9b9-6612e8f29a38                                   52     56     60     64     64     68     68     68     68     68     68     13
GET      /detail.html?id=819e1fbf-8b7e-4f6d-811f-693534916a8b                                   52     56     60     60     60     64     64     64     64     64     64     20
GET      /detail.html?id=837ab141-399e-4c1f-9abc-bace40296bac                                   52     56     60     60     60     60     64     64     64     64     64     27
GET      /detail.html?id=a0a4f044-b040-410d-8ead-4de0446aec7e                                   52     56     56     60     60     60     60     60     60     60     60     19
GET      /detail.html?id=d3588630-ad8e-49df-bbd7-3167f7efb246                                   52     56     60     60     60     64     64     64     64     64     64     20
GET      /detail.html?id=zzz4f044-b040-410d-8ead-4de0446aec7e                                   52     60     60     60     60     60     64     64     64     64     64     23
GET      /login                                                                                 52     56     56     60     60     60     64     64     64     64     64    190
POST     /orders                                                                               140    150    160    300    330    340    360    360    360    360    360    187
--------|--------------------------------------------------------------------------------|--------|------|------|------|------|------|------|------|------|------|------|------
         Aggregated                                                                             52     56     60     60    100    140    300    330    360    360    360   1703

Error report
# occurrences      Error                                                                                               
------------------|---------------------------------------------------------------------------------------------------------------------------------------------
14                 POST /orders: HTTPError('406 Client Error: Not Acceptable for url: http://127.0.0.1:18079/orders')  
38                 POST /orders: HTTPError('500 Server Error: Internal Server Error for url: http://127.0.0.1:18079/orders')
------------------|---------------------------------------------------------------------------------------------------------------------------------------------

)REF";

}  // namespace sre_eval

#endif  // SRE_EVAL_TESTS_LOCUST_REFERENCE_H_
