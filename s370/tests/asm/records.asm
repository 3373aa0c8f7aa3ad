*        DSECTS, SEVERAL BASE REGISTERS, LITERALS, EXTERNALS AND CCWS.
         TITLE 'RECORDS'
RECS     CSECT
         ENTRY NEXT
         EXTRN OUTSIDE
         STM   14,12,12(13)
         BALR  11,0
         USING *,11,10
         LA    10,2048(11)
         LA    10,2048(10)
         USING REC,5
         LA    5,TABLE
         LH    1,=H'3'
LOOP     CLC   RKEY,=CL4'LAST'
         BE    NEXT
         AP    RCOUNT,=P'1'
         LA    5,RLEN(5)
         BCT   1,LOOP
NEXT     L     2,=V(OUTSIDE)
         L     3,=A(FARAWAY)
         L     4,FARAWAY          NEEDS THE SECOND BASE
         LM    14,12,12(13)
         BR    14
         LTORG
TABLE    DC    CL4'ONE',PL3'0'
         DC    CL4'TWO',PL3'5'
         DC    CL4'LAST',PL3'9'
READ     CCW   X'02',TABLE,X'20',L'TABLE
         DS    5000X
FARAWAY  DC    A(TABLE,READ,OUTSIDE)
REC      DSECT
RKEY     DS    CL4
RCOUNT   DS    PL3
RLEN     EQU   *-REC
         END   RECS
