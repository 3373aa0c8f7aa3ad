*        A PROGRAM THAT MOVES A GREETING AND ENDS IN A DISABLED WAIT.
         TITLE 'HELLO'
HELLO    START X'2000'
         BALR  12,0
         USING *,12
         MVC   OUT,MSG            COPY THE GREETING
         CLC   OUT,=C'HELLO, WORLD'
         BNE   FAIL
         LPSW  GOOD
FAIL     LPSW  BAD
         DS    0D
GOOD     DC    X'00020000',A(0)
BAD      DC    X'00020000',A(X'BAD')
MSG      DC    C'HELLO, WORLD'
OUT      DS    CL(L'MSG)
         END   HELLO
